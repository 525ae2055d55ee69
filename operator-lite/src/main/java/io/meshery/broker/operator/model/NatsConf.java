package io.meshery.broker.operator.model;

import java.util.List;

/**
 * A small writer for nats.conf text: {@code key: value} lines, {@code name { ... }} blocks and arrays, with
 * strings always double-quoted (so a {@code $} in a bcrypt hash is not read as a variable) and escaped.
 */
final class NatsConf {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    NatsConf comment(String text) {
        indent().append("# ").append(text.replace('\n', ' ')).append('\n');
        return this;
    }

    NatsConf raw(String key, Object value) {
        indent().append(key).append(": ").append(value).append('\n');
        return this;
    }

    NatsConf string(String key, String value) {
        return raw(key, quote(value));
    }

    NatsConf open(String block) {
        indent().append(block).append(" {\n");
        depth++;
        return this;
    }

    NatsConf close() {
        depth--;
        indent().append("}\n");
        return this;
    }

    NatsConf stringArray(String key, List<String> values) {
        indent().append(key).append(": [\n");
        depth++;
        for (String v : values) {
            indent().append(quote(v)).append('\n');
        }
        depth--;
        indent().append("]\n");
        return this;
    }

    private StringBuilder indent() {
        out.append("  ".repeat(depth));
        return out;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** A double-quoted nats.conf string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
