package io.meshery.broker.security;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads from the raw maps of a parsed nats.conf block (or of a users.json file read with Jackson). Every
 * failure is a {@link ConfigException} naming the key; values are never quoted, as they may be secrets.
 */
final class ConfigMaps {

    private ConfigMaps() {
    }

    static String string(String key, Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw new ConfigException(key + ": expected a string, got " + typeOf(value));
    }

    static boolean bool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(key + ": expected true or false, got " + typeOf(value));
    }

    static long integer(String key, Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue();
        }
        throw new ConfigException(key + ": expected an integer, got " + typeOf(value));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String key, Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new ConfigException(key + ": expected a block { ... }, got " + typeOf(value));
    }

    /** A string or a list of strings (nats-server accepts a single subject where a list is expected). */
    static List<String> strings(String key, Object value) {
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
        throw new ConfigException(key + ": expected a string or a list of strings, got " + typeOf(value));
    }

    /** Seconds as a number ({@code 2}, {@code 0.5}) or a duration string ({@code "2s"}, {@code "500ms"}). */
    static Duration seconds(String key, Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return Duration.ofSeconds(((Number) value).longValue());
        }
        if (value instanceof Double d && d >= 0 && d < 1e9) {
            return Duration.ofNanos(Math.round(d * 1e9));
        }
        if (value instanceof String s) {
            return duration(key, s);
        }
        throw new ConfigException(key + ": expected a number of seconds or a duration, got " + typeOf(value));
    }

    static Duration duration(String key, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static String typeOf(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a block";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }
}
