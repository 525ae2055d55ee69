package io.meshery.broker.monitor;

import java.math.BigInteger;
import java.util.Locale;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * Query parameters read the way nats-server reads them, failing with its error texts (they come from Go's
 * {@code strconv}), so a script written against nats-server sees the same 400 here. An absent or empty
 * parameter takes its default.
 */
final class Params {

    /** A bad parameter: HTTP 400 with {@link #getMessage()} as the body. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Which connections {@code /connz} lists. */
    enum State { OPEN, CLOSED, ANY }

    /** How much of each connection's subscriptions {@code /connz} and {@code /routez} show. */
    enum Subs { NONE, LIST, DETAIL }

    /** nats-server's page size for {@code /connz} and {@code /subsz}. */
    static final int DEFAULT_LIMIT = 1024;

    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final Query query;

    Params(Query query) {
        this.query = query;
    }

    /** The first value of {@code name}, or {@code ""}. */
    String string(String name) {
        return query.get(name).orElse("");
    }

    boolean bool(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return false;
        }
        switch (v) {
            case "1", "t", "T", "true", "TRUE", "True":
                return true;
            case "0", "f", "F", "false", "FALSE", "False":
                return false;
            default:
                throw new BadRequest("Error decoding boolean for '" + name + "': strconv.ParseBool: parsing "
                    + quote(v) + ": invalid syntax");
        }
    }

    /** A signed decimal as Go's {@code strconv.Atoi} reads it on a 64-bit machine. */
    int integer(String name, int dflt) {
        String v = string(name);
        if (v.isEmpty()) {
            return dflt;
        }
        String digits = v.startsWith("+") || v.startsWith("-") ? v.substring(1) : v;
        if (!isDecimal(digits)) {
            throw new BadRequest(intError(name, v, "invalid syntax"));
        }
        BigInteger n = new BigInteger(v.startsWith("+") ? digits : v);
        if (n.bitLength() > 63) {
            throw new BadRequest(intError(name, v, "value out of range"));
        }
        // A number that fits Go's int but not Java's: as large as anything we can list, so clamp it.
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n.longValue()));
    }

    /** An unsigned decimal as Go's {@code strconv.ParseUint} reads it; 0 when absent. */
    long uint64(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return 0;
        }
        if (!isDecimal(v)) {
            throw new BadRequest(uintError(name, v, "invalid syntax"));
        }
        BigInteger n = new BigInteger(v);
        if (n.compareTo(MAX_UINT64) > 0) {
            throw new BadRequest(uintError(name, v, "value out of range"));
        }
        return n.longValue(); // above Long.MAX_VALUE it wraps negative and matches no connection
    }

    /** {@code offset} for a paged listing; a negative one counts as 0. */
    int offset() {
        return Math.max(0, integer("offset", 0));
    }

    /** {@code limit} for a paged listing; absent, zero or negative means {@link #DEFAULT_LIMIT}. */
    int limit() {
        int limit = integer("limit", DEFAULT_LIMIT);
        return limit <= 0 ? DEFAULT_LIMIT : limit;
    }

    State state() {
        String v = string("state");
        switch (v.toLowerCase(Locale.ROOT)) {
            case "", "open":
                return State.OPEN;
            case "closed":
                return State.CLOSED;
            case "any", "all":
                return State.ANY;
            default:
                throw new BadRequest("Error decoding state for " + v);
        }
    }

    Subs subs() {
        if (string("subs").equalsIgnoreCase("detail")) {
            return Subs.DETAIL;
        }
        return bool("subs") ? Subs.LIST : Subs.NONE;
    }

    private static boolean isDecimal(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String intError(String name, String value, String why) {
        return "Error decoding int for '" + name + "': strconv.Atoi: parsing " + quote(value) + ": " + why;
    }

    private static String uintError(String name, String value, String why) {
        return "Error decoding uint64 for '" + name + "': strconv.ParseUint: parsing " + quote(value) + ": " + why;
    }

    /** Go's {@code strconv.Quote} for the values people type: quotes and backslashes escaped, controls as hex. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
