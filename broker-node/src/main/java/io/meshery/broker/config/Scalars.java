package io.meshery.broker.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an unquoted token reads, following nats-server's config lexer: a boolean word, an integer, a float, an
 * integer with a size suffix, or else a plain string.
 *
 * <p>Size suffixes are case-insensitive. A bare letter is decimal and a {@code b}/{@code i}/{@code ib} ending is
 * binary: {@code 1k} = 1000, {@code 1kb} = {@code 1ki} = {@code 1kib} = 1024, and the same for m, g, t, p, e.
 * So {@code 10MB} = 10485760 and {@code 10M} = 10000000 (checked against nats-server 2.9.10). A token with an
 * unknown suffix ({@code 10s}, {@code 1b}, {@code 4.2.2}) stays a string.
 */
final class Scalars {
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("-?[0-9]+\\.[0-9]+");
    private static final Pattern SIZED = Pattern.compile("(-?[0-9]+)([A-Za-z]+)");

    private static final Map<String, Boolean> BOOLEANS = Map.of(
            "true", true, "yes", true, "on", true,
            "false", false, "no", false, "off", false);

    private Scalars() {}

    /**
     * The value of an unquoted token.
     *
     * @return a Boolean, Long, Double or String
     * @throws IllegalArgumentException when the token looks numeric but is not a valid number (out of range, or a
     *     {@code -} not followed by a digit); the message says why
     */
    static Object classify(String token) {
        Boolean bool = BOOLEANS.get(token.toLowerCase(Locale.ROOT));
        if (bool != null) {
            return bool;
        }
        if (token.startsWith("-") && (token.length() == 1 || !isDigit(token.charAt(1)))) {
            throw new IllegalArgumentException("expected a digit after '-' in \"" + token + "\"");
        }
        if (token.isEmpty() || !isDigit(token.charAt(token.startsWith("-") ? 1 : 0))) {
            return token;
        }
        if (INTEGER.matcher(token).matches()) {
            return parseLong(token);
        }
        if (FLOAT.matcher(token).matches()) {
            return Double.parseDouble(token);
        }
        Long size = sized(token);
        return size != null ? size : token;
    }

    /**
     * A size written as an integer with an optional suffix ({@code 1048576}, {@code 1MB}, {@code 64k}).
     *
     * @return the number of bytes, or {@code null} if the text is not a size
     * @throws IllegalArgumentException if it is a size but does not fit in a long
     */
    static Long parseSize(String text) {
        String t = text.trim();
        if (INTEGER.matcher(t).matches()) {
            return parseLong(t);
        }
        return sized(t);
    }

    /** Whether {@code word} is one of nats' boolean words (true/false/yes/no/on/off, any case). */
    static Boolean parseBoolean(String word) {
        return BOOLEANS.get(word.toLowerCase(Locale.ROOT));
    }

    private static Long sized(String token) {
        Matcher m = SIZED.matcher(token);
        if (!m.matches()) {
            return null;
        }
        long multiplier = multiplier(m.group(2).toLowerCase(Locale.ROOT));
        if (multiplier == 0) {
            return null;
        }
        try {
            return Math.multiplyExact(parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException e) {
            throw outOfRange(token);
        }
    }

    private static long multiplier(String suffix) {
        if (suffix.isEmpty()) {
            return 0;
        }
        int power = "kmgtpe".indexOf(suffix.charAt(0)) + 1;
        if (power == 0) {
            return 0;
        }
        String rest = suffix.substring(1);
        if (rest.isEmpty()) {
            return pow(1000, power);
        }
        if (rest.equals("b") || rest.equals("i") || rest.equals("ib")) {
            return pow(1024, power);
        }
        return 0;
    }

    private static long pow(long base, int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= base;
        }
        return result;
    }

    private static long parseLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw outOfRange(digits);
        }
    }

    private static IllegalArgumentException outOfRange(String token) {
        return new IllegalArgumentException("integer \"" + token + "\" is out of range");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
