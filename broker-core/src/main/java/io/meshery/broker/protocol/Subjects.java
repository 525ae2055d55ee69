package io.meshery.broker.protocol;

/**
 * Subject rules: tokens separated by {@code .}, none empty, no white space anywhere; {@code *} matches one
 * token and {@code >} one or more and may only stand last. A token is a wildcard only when it is exactly
 * {@code *} or {@code >} ({@code foo*} is a literal). No method here allocates.
 */
public final class Subjects {

    private Subjects() {
    }

    /** A subject a client may subscribe to: wildcards allowed. */
    public static boolean isValidSubscribe(String s) {
        return check(s, true);
    }

    /** A subject a message may be published to: no wildcards. */
    public static boolean isValidLiteral(String s) {
        return check(s, false);
    }

    /** Whether the subject holds a wildcard token. */
    public static boolean hasWildcard(String s) {
        int len = s.length();
        int tokenStart = 0;
        for (int i = 0; i <= len; i++) {
            if (i == len || s.charAt(i) == '.') {
                if (i - tokenStart == 1 && (s.charAt(tokenStart) == '*' || s.charAt(tokenStart) == '>')) {
                    return true;
                }
                tokenStart = i + 1;
            }
        }
        return false;
    }

    private static boolean check(String s, boolean wildcardsAllowed) {
        int len = s.length();
        if (len == 0) {
            return false;
        }
        int tokenStart = 0;
        for (int i = 0; i <= len; i++) {
            char c = i == len ? '.' : s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
                return false;
            }
            if (c != '.') {
                continue;
            }
            int tokenLen = i - tokenStart;
            if (tokenLen == 0) {
                return false;
            }
            if (tokenLen == 1) {
                char t = s.charAt(tokenStart);
                if (t == '*' || t == '>') {
                    if (!wildcardsAllowed || (t == '>' && i != len)) {
                        return false;
                    }
                }
            }
            tokenStart = i + 1;
        }
        return true;
    }

    /**
     * Whether the literal subject {@code subject} is matched by {@code pattern}, which may hold wildcards.
     * Both must be valid.
     */
    public static boolean matches(String pattern, String subject) {
        int p = 0;
        int s = 0;
        int plen = pattern.length();
        int slen = subject.length();
        while (p < plen && s < slen) {
            int pEnd = pattern.indexOf('.', p);
            if (pEnd < 0) {
                pEnd = plen;
            }
            int sEnd = subject.indexOf('.', s);
            if (sEnd < 0) {
                sEnd = slen;
            }
            int pTok = pEnd - p;
            if (pTok == 1 && pattern.charAt(p) == '>') {
                return true;
            }
            if (!(pTok == 1 && pattern.charAt(p) == '*')) {
                if (pTok != sEnd - s || !pattern.regionMatches(p, subject, s, pTok)) {
                    return false;
                }
            }
            p = pEnd + 1;
            s = sEnd + 1;
        }
        return p >= plen && s >= slen;
    }

    /** The first token of a subject. */
    public static String firstToken(String s) {
        int dot = s.indexOf('.');
        return dot < 0 ? s : s.substring(0, dot);
    }
}
