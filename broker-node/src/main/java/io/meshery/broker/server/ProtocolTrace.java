package io.meshery.broker.server;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscription;
import java.nio.charset.StandardCharsets;

/**
 * The text of protocol trace lines ({@code -V}), in nats-server's shape: a connection logs
 * {@code <<- [PUB foo 5]} and {@code <<- MSG_PAYLOAD: ["hello"]} for what it reads and {@code ->> [MSG foo 1 5]}
 * for what it sends. Only called when tracing is on; credentials in CONNECT are replaced by {@code [REDACTED]}.
 */
final class ProtocolTrace {


    /** The CONNECT fields nats-server hides in traces. */
    private static final String[] SECRET_FIELDS = {"\"pass\"", "\"auth_token\""};
    private static final String REDACTED = "[REDACTED]";

    private ProtocolTrace() {
    }

    /** {@code CONNECT {...}} with the values of {@code pass} and {@code auth_token} redacted. */
    static String connect(byte[] buf, int off, int len) {
        return "CONNECT " + redact(new String(buf, off, len, StandardCharsets.UTF_8));
    }

    /**
     * The JSON with each string value of a secret field replaced by {@code "[REDACTED]"}. Works on the raw text, so
     * malformed JSON is redacted too (an unterminated value is cut off entirely), and the rest keeps its spelling.
     */
    static String redact(String json) {
        String out = json;
        for (String field : SECRET_FIELDS) {
            int from = 0;
            int at;
            while ((at = out.indexOf(field, from)) >= 0) {
                int p = skipSpaces(out, at + field.length());
                if (p >= out.length() || out.charAt(p) != ':') {
                    from = at + field.length();
                    continue;
                }
                p = skipSpaces(out, p + 1);
                if (p >= out.length() || out.charAt(p) != '"') {
                    from = p;
                    continue;
                }
                int end = endOfString(out, p + 1);
                String tail = end < out.length() ? out.substring(end + 1) : "";
                out = out.substring(0, p) + '"' + REDACTED + '"' + tail;
                from = p + REDACTED.length() + 2;
            }
        }
        return out;
    }

    /** {@code PUB subject [reply] size} or {@code HPUB subject [reply] hdr total}. */
    static String pub(PubArgs a) {
        StringBuilder sb = new StringBuilder(a.hasHeaders() ? "HPUB " : "PUB ").append(a.subject());
        if (a.replyLength() > 0) {
            sb.append(' ').append(a.reply());
        }
        if (a.hasHeaders()) {
            sb.append(' ').append(a.headerSize());
        }
        return sb.append(' ').append(a.totalSize()).toString();
    }

    /** {@code MSG subject sid [reply] size} or the HMSG form, as the receiver gets it. */
    static String msg(Subscription sub, PubArgs a, boolean headers) {
        boolean hmsg = a.hasHeaders() && headers;
        StringBuilder sb = new StringBuilder(hmsg ? "HMSG " : "MSG ").append(a.subject()).append(' ').append(sub.sid());
        if (a.replyLength() > 0) {
            sb.append(' ').append(a.reply());
        }
        if (hmsg) {
            sb.append(' ').append(a.headerSize());
        }
        int size = a.hasHeaders() && !headers ? a.totalSize() - a.headerSize() : a.totalSize();
        return sb.append(' ').append(size).toString();
    }

    /** The payload as Go's {@code %q} prints it: double-quoted, with escapes for quotes and control bytes. */
    static String payload(byte[] buf, int off, int len) {
        return quote(new String(buf, off, len, StandardCharsets.UTF_8));
    }

    /** Go's {@code %q} for a string, which nats-server uses for subjects in errors and payloads in traces. */
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
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\ufffd') {
                        sb.append(c == '\ufffd' ? "\\ufffd" : String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static int skipSpaces(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    /** The index of the quote closing a JSON string whose content starts at {@code p}, or the length. */
    private static int endOfString(String s, int p) {
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == '\\') {
                p += 2;
            } else if (c == '"') {
                return p;
            } else {
                p++;
            }
        }
        return s.length();
    }
}
