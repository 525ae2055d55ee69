package io.meshery.broker.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each key of a nats.conf document was written: {@code file:line:column} by key path.
 *
 * <p>A key path joins block keys with dots and list indexes with brackets, as error messages name keys:
 * {@code port}, {@code authorization.users[0].nkey}, {@code tls.cert_file}. Paths are matched case-insensitively,
 * as nats-server matches option names. A key read from an included file has the included file's position.
 *
 * <p>Errors found after parsing (a value out of range, a file named by the configuration that cannot be read) name
 * their key at the start of the message; {@link #locate(ConfigException)} puts the position of that key, or of the
 * nearest enclosing key, in front. Immutable and thread-safe.
 */
public final class KeyPositions {
    /** No positions: errors and warnings are left as they are. */
    public static final KeyPositions NONE = new KeyPositions(null, Map.of());

    /** The leading key path of a message: {@code authorization.users[0].nkey: ...}. */
    private static final Pattern LEADING_KEY = Pattern.compile("^([A-Za-z0-9_$][A-Za-z0-9_$.\\[\\]-]*)[:( ]");

    private final String mainSource;
    private final Map<String, Position> byPath;

    /** Where a key was written; columns are 1-based (nats-server 2.9 counts from 0 on a file's first line only). */
    public record Position(String source, int line, int column) {
        @Override
        public String toString() {
            return source + ":" + line + ":" + column;
        }
    }

    /**
     * @param mainSource the file the document was read from, used when an error's key has no position; may be null
     * @param byPath positions by key path (any case)
     */
    KeyPositions(String mainSource, Map<String, Position> byPath) {
        this.mainSource = mainSource;
        Map<String, Position> copy = new LinkedHashMap<>();
        byPath.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), Objects.requireNonNull(v)));
        this.byPath = Collections.unmodifiableMap(copy);
    }

    /**
     * The position of {@code path} (or of a key that sets the same option, such as {@code listen} for
     * {@code port}), or of the nearest enclosing key that has one.
     */
    public Optional<Position> find(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        while (!p.isEmpty()) {
            Position at = byPath.get(p);
            for (String alias : ConfigKeys.ALSO_SET_BY.getOrDefault(p, List.of())) {
                at = at != null ? at : byPath.get(alias);
            }
            if (at != null) {
                return Optional.of(at);
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return Optional.empty();
    }

    /** {@code "file:line:column: "} for {@code path}, or {@code ""} when it has no position. */
    String prefix(String path) {
        return find(path).map(at -> at + ": ").orElse("");
    }

    /** An error about the key at {@code path}: {@code file:line:column: reason}, or just the reason. */
    ConfigException error(String path, String reason) {
        Optional<Position> at = find(path);
        return at.isPresent() ? new ConfigException(at.get().source(), at.get().line(), at.get().column(), reason)
                : new ConfigException(reason);
    }

    /**
     * {@code e} with the position of the key its message starts with. An error that already has a position is
     * returned as it is; one whose key has no position is prefixed with the configuration file's name.
     */
    public ConfigException locate(ConfigException e) {
        if (e.source() != null) {
            return e;
        }
        Matcher m = LEADING_KEY.matcher(e.getMessage());
        Optional<Position> at = m.find() ? find(m.group(1)) : Optional.empty();
        if (at.isPresent()) {
            return new ConfigException(at.get().source(), at.get().line(), at.get().column(), e.getMessage());
        }
        return mainSource == null ? e : new ConfigException(mainSource + ": " + e.getMessage(), e);
    }

    /** As {@link #locate(ConfigException)}, for a warning that starts with a key path. */
    String locate(String warning) {
        Matcher m = LEADING_KEY.matcher(warning);
        return m.find() ? prefix(m.group(1)) + warning : warning;
    }
}
