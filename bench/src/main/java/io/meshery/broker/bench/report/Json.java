package io.meshery.broker.bench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** Just enough JSON writing for the report: maps, collections, strings, numbers, booleans and null. */
final class Json {

    private static final MathContext SIGNIFICANT = new MathContext(6);

    private Json() {
    }

    /** Serialises {@code value} (Map, Collection, CharSequence, Number, Boolean or null). */
    static String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(s, value, 0);
        return s.append('\n').toString();
    }

    private static void write(StringBuilder s, Object v, int indent) {
        if (v == null) {
            s.append("null");
        } else if (v instanceof Map<?, ?> map) {
            writeEntries(s, map.entrySet().iterator(), indent, '{', '}', true);
        } else if (v instanceof Collection<?> list) {
            writeEntries(s, list.iterator(), indent, '[', ']', false);
        } else if (v instanceof Double d) {
            s.append(d.isNaN() || d.isInfinite() ? "null"
                    : new BigDecimal(d).round(SIGNIFICANT).stripTrailingZeros().toPlainString());
        } else if (v instanceof Number || v instanceof Boolean) {
            s.append(v);
        } else {
            string(s, v.toString());
        }
    }

    private static void writeEntries(StringBuilder s, Iterator<?> it, int indent, char open, char close,
                                     boolean keyed) {
        s.append(open);
        if (!it.hasNext()) {
            s.append(close);
            return;
        }
        String pad = "  ".repeat(indent + 1);
        while (it.hasNext()) {
            Object item = it.next();
            s.append('\n').append(pad);
            if (keyed) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                string(s, e.getKey().toString());
                s.append(": ");
                write(s, e.getValue(), indent + 1);
            } else {
                write(s, item, indent + 1);
            }
            if (it.hasNext()) {
                s.append(',');
            }
        }
        s.append('\n').append("  ".repeat(indent)).append(close);
    }

    private static void string(StringBuilder s, String text) {
        s.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }
}
