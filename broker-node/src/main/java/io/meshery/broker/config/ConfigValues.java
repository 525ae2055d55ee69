package io.meshery.broker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions from parsed nats.conf values (and from the users file, read with Jackson) to option types: the one
 * reader of configuration values, for the options here and for the {@code authorization} and {@code tls} blocks
 * in {@code security}. Every failure is a {@link ConfigException} whose message starts with the key as written and
 * shows the bad value, e.g. {@code max_payload: invalid size "abc"}; {@link #secret} names only the value's kind.
 *
 * <p>Type rules follow nats-server: integers, booleans and strings must have that type ({@code port: "4222"} and
 * {@code debug: "true"} are errors). Two deliberate extensions: a size may also be a string in size syntax
 * ({@code max_payload: "10MB"}), and an integer given for a duration means seconds (nats-server accepts that
 * only for some keys, always with a warning).
 */
public final class ConfigValues {
    private ConfigValues() {}

    public static String string(String key, Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw new ConfigException(key + ": expected a string, got " + show(value));
    }

    /** A string that may be a secret (a password, a token): a failure names the value's kind, never the value. */
    public static String secret(String key, Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw new ConfigException(key + ": expected a string, got " + kind(value));
    }

    /** A string or a list of strings (nats-server accepts a single subject where a list is expected). */
    public static List<String> strings(String key, Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(string(key + "[" + i + "]", list.get(i)));
            }
            return out;
        }
        throw new ConfigException(key + ": expected a string or a list of strings, got " + show(value));
    }

    static Path path(String key, Object value) {
        String s = string(key, value);
        try {
            return Path.of(s);
        } catch (RuntimeException e) {
            throw new ConfigException(key + ": invalid path " + show(value));
        }
    }

    public static boolean bool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(key + ": expected true or false, got " + show(value));
    }

    /** An integer; a users file read with Jackson gives {@code Integer}s, nats.conf {@code Long}s. */
    public static int integer(String key, Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return toInt(key, ((Number) value).longValue());
        }
        throw new ConfigException(key + ": expected an integer, got " + show(value));
    }

    /** A byte count: an integer (possibly written with a size suffix) or a string in size syntax. */
    static long size(String key, Object value) {
        if (value instanceof Long n) {
            return n;
        }
        if (value instanceof String s) {
            try {
                Long n = Scalars.parseSize(s);
                if (n != null) {
                    return n;
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + ": " + e.getMessage());
            }
        }
        throw new ConfigException(key + ": invalid size " + show(value));
    }

    /** A size that must fit an int. */
    static int intSize(String key, Object value) {
        return toInt(key, size(key, value));
    }

    /**
     * A duration string ({@code "2m"}, {@code "1h30m"}), or an integer number of seconds, which adds a warning as
     * nats-server does.
     */
    static Duration duration(String key, Object value, List<String> warnings) {
        if (value instanceof String s) {
            return duration(key, s);
        }
        if (value instanceof Long n) {
            warnings.add(key + ": the integer " + n + " is read as " + n + " seconds; write a duration such as \""
                    + n + "s\" instead");
            return Duration.ofSeconds(n);
        }
        throw new ConfigException(key + ": expected a duration such as \"2m\" or \"10s\", got " + show(value));
    }

    /** A duration string such as {@code "2m"} or {@code "1h30m"}. */
    public static Duration duration(String key, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    /** A number of seconds (integer or decimal), or a duration string. */
    public static Duration seconds(String key, Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return Duration.ofSeconds(((Number) value).longValue());
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite() || Math.abs(d) > Long.MAX_VALUE / 1_000_000_000L) {
                throw new ConfigException(key + ": " + d + " is out of range");
            }
            return Duration.ofNanos(Math.round(d * 1_000_000_000L));
        }
        if (value instanceof String s) {
            return duration(key, s);
        }
        throw new ConfigException(key + ": expected a number of seconds or a duration, got " + show(value));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> block(String key, Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new ConfigException(key + ": expected a block { ... }, got " + show(value));
    }

    /** A port: 1..65535, 0 (the default, or no monitoring) or -1 (any free port). */
    static void checkPort(String key, int value) {
        if (value < BrokerOptions.RANDOM_PORT || value > 65535) {
            throw new ConfigException(key + ": " + value + " is out of range (-1 for a random port, or 0 to 65535)");
        }
    }

    /** A size or count where 0 means the default. */
    static long orDefault(String key, long value, long fallback) {
        if (value < 0) {
            throw new ConfigException(key + ": " + value + " must not be negative");
        }
        return value == 0 ? fallback : value;
    }

    /** A duration where zero (or null) means the default. */
    static Duration orDefault(String key, Duration value, Duration fallback) {
        if (value == null || value.isZero()) {
            return fallback;
        }
        if (value.isNegative()) {
            throw new ConfigException(key + ": " + GoDuration.format(value) + " must not be negative");
        }
        return value;
    }

    /** A JetStream storage limit: a byte count, or {@link NodeSettings.Storage#UNLIMITED} (-1). */
    static long storageLimit(String key, long value) {
        if (value < NodeSettings.Storage.UNLIMITED) {
            throw new ConfigException(key + ": " + value + " is out of range (-1 for no limit, or a size such as"
                    + " 10GB)");
        }
        return value;
    }

    /** A JetStream sync interval: positive, or {@code null} for always. */
    static Duration syncInterval(String key, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new ConfigException(key + ": " + GoDuration.format(value) + " must be positive (or always)");
        }
        return value;
    }

    /** The largest payload must fit an int, and one message must fit what a client may have pending. */
    static void checkPayload(long maxPayload, long maxPending) {
        if (maxPayload > Integer.MAX_VALUE) {
            throw new ConfigException("max_payload: " + maxPayload + " is too big (the limit is "
                    + Integer.MAX_VALUE + ")");
        }
        if (maxPayload > maxPending) {
            throw new ConfigException("max_payload: " + maxPayload + " cannot be higher than max_pending ("
                    + maxPending + ")");
        }
    }

    /** The grace period comes out of the lame-duck duration, so it must be shorter. */
    static void checkLameDuck(Duration duration, Duration gracePeriod) {
        if (gracePeriod.compareTo(duration) >= 0) {
            throw new ConfigException("lame_duck_grace_period: " + GoDuration.format(gracePeriod)
                    + " should be strictly lower than lame_duck_duration (" + GoDuration.format(duration) + ")");
        }
    }

    /** How a value reads in an error message: strings quoted, blocks and lists by kind. */
    static String show(Object value) {
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "a block { ... }";
        }
        if (value instanceof List<?>) {
            return "a list [ ... ]";
        }
        return String.valueOf(value);
    }

    /** What a value is, without the value: for messages about values that may be secrets. */
    private static String kind(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map<?, ?>) {
            return "a block { ... }";
        }
        if (value instanceof List<?>) {
            return "a list [ ... ]";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    /** A deeply unmodifiable copy of a configuration block, keeping key order. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> freezeMap(Map<String, Object> map) {
        return map == null ? Map.of() : (Map<String, Object>) freeze(map);
    }

    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            l.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    private static int toInt(String key, long n) {
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new ConfigException(key + ": " + n + " is out of range");
        }
        return (int) n;
    }
}
