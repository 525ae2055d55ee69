package io.meshery.broker.config;

import io.meshery.broker.config.Cursor.Mark;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads nats.conf documents (the nats-server configuration syntax) into ordered maps.
 *
 * <h2>Syntax</h2>
 * {@code key: value}, {@code key = value} and {@code key value}; {@code { }} blocks (also {@code key { }});
 * {@code [ ]} lists separated by commas or new lines; {@code #} and {@code //} comments; "double-quoted"
 * strings with the escapes {@code \t \n \r \" \\ \xXX}, 'single-quoted' strings taken literally, and bare
 * strings; a document may also be wrapped in one pair of braces, so JSON is valid. Keys are kept as written:
 * nats-server matches option names case-insensitively, and so does {@link BrokerOptions}.
 *
 * <h2>Values</h2>
 * <ul>
 *   <li>{@code true/false/yes/no/on/off} (any case) are Booleans; quoted, they are strings.</li>
 *   <li>Integers are Longs, {@code 1.5} is a Double.</li>
 *   <li>Sizes are converted to a Long number of bytes when read, exactly as nats-server does:
 *       {@code 10MB}, {@code 10mib}, {@code 10Mi} = 10485760 and {@code 10M} = 10000000 (see {@link Scalars}).
 *       So a bare {@code 2m} is the number 2000000, not two minutes.</li>
 *   <li>Durations are plain strings ({@code "2m"}, {@code 10s}, {@code "1h30m"}, {@code "500ms"}); they are
 *       interpreted by the option that reads them ({@link BrokerOptions}). Date-times stay strings too.</li>
 *   <li>{@code $NAME} is the value of the nearest key {@code NAME} defined earlier in the same block or an
 *       enclosing one, else the environment variable {@code NAME} read as a config value (so {@code 4222}
 *       becomes a Long), else an error. Names are case-sensitive. A quoted {@code "$NAME"} is literal text.</li>
 * </ul>
 *
 * <h2>Includes</h2>
 * {@code include "file"} (or {@code include file}) reads another file, relative to the directory of the
 * including file, and merges its top-level entries into the current block at that point. As in nats-server the
 * included file is read on its own: it cannot see the includer's variables, but keys it defines are visible to
 * the includer afterwards. Unlike nats-server 2.9, absolute include paths are honoured and include cycles are
 * reported instead of recursing until the stack overflows.
 *
 * <h2>Errors and positions</h2>
 * Every syntax error is a {@link ConfigException} whose message starts with {@code source:line:column:}. The
 * position of every key is kept too ({@link ParsedConfig#positions()}), so that the errors and warnings found
 * later, about keys and values, can name where the key was written, in the included file for an included key.
 *
 * <p>Deliberate differences from nats-server: a key with no value at the end of a block is an error (nats
 * drops it silently), a {@code }} with no matching {@code {} is an error, the value of an environment variable
 * must be exactly one value (nats keeps the first token of {@code "a, b"}), and {@code (...)} block strings are
 * not supported.
 *
 * <p>Instances are immutable and thread-safe; each call reads with its own state.
 */
public final class ConfigParser {
    private static final int MAX_ENVIRONMENT_DEPTH = 8;

    private final Function<String, String> environment;

    /** A parser that resolves {@code $NAME} from the process environment. */
    public ConfigParser() {
        this(System::getenv);
    }

    /**
     * A parser that resolves {@code $NAME} through {@code environment}, which returns {@code null} for a variable
     * that is not set.
     */
    public ConfigParser(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * Reads a configuration file.
     *
     * @throws ConfigException if the file cannot be read or is not valid
     */
    public ParsedConfig parseFile(Path file) {
        Session session = new Session(Path.of(""));
        String text = read(file, reason -> new ConfigException("cannot read configuration file " + file + ": " + reason));
        return session.finish(session.parse(text, file, ""), file.toString());
    }

    /**
     * Reads configuration text; relative includes are resolved against {@code baseDirectory}.
     *
     * @throws ConfigException if the text is not valid
     */
    public ParsedConfig parseString(String text, Path baseDirectory) {
        Session session = new Session(baseDirectory);
        return session.finish(session.parse(text, null, ""), null);
    }

    /** Reads configuration text; relative includes are resolved against the working directory. */
    public ParsedConfig parseString(String text) {
        return parseString(text, Path.of(""));
    }

    /** The text of {@code file}; a failure is reported through {@code error}, given the reason. */
    private static String read(Path file, Function<String, ConfigException> error) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw error.apply("no such file");
        } catch (AccessDeniedException e) {
            throw error.apply("permission denied");
        } catch (CharacterCodingException e) {
            throw error.apply("not valid UTF-8");
        } catch (FileSystemException e) {
            throw error.apply(e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
        } catch (IOException e) {
            throw error.apply(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        }
    }

    /**
     * The state of one top-level read: the include chain, the variables used, where each key is, the environment
     * depth.
     */
    private final class Session implements DocumentParser.Resolver {
        private final Path baseDirectory;
        /** Files being read, innermost first, as paths relative to where the caller's path points. */
        private final Deque<Path> files = new ArrayDeque<>();
        /** The same files as real paths, for cycle detection. */
        private final Deque<Path> identities = new ArrayDeque<>();
        private final Set<String> used = new LinkedHashSet<>();
        private final Map<String, KeyPositions.Position> positions = new LinkedHashMap<>();
        private int environmentDepth;

        Session(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
        }

        ParsedConfig finish(Map<String, Object> values, String mainSource) {
            return new ParsedConfig(values, used, new KeyPositions(mainSource, positions));
        }

        /**
         * Parses {@code text}, read from {@code file} (or {@code null} for a string), whose entries go under the key
         * path {@code keyPath}.
         */
        Map<String, Object> parse(String text, Path file, String keyPath) {
            if (file == null) {
                return new DocumentParser(text, "<string>", this, keyPath).parseDocument();
            }
            files.push(file);
            identities.push(identity(file));
            try {
                return new DocumentParser(text, file.toString(), this, keyPath).parseDocument();
            } finally {
                files.pop();
                identities.pop();
            }
        }

        @Override
        public Map<String, Object> include(String path, String source, Mark at, String keyPath) {
            Path dir = files.isEmpty() ? baseDirectory : parentOf(files.peek());
            Path file = dir.resolve(path).normalize();
            Path identity = identity(file);
            if (identities.contains(identity)) {
                throw new ConfigException(source, at.line(), at.column(), "include cycle: " + cycle(file));
            }
            String text = read(file, reason -> new ConfigException(source, at.line(), at.column(),
                    "cannot read include file \"" + path + "\" (" + file.toAbsolutePath() + "): " + reason));
            try {
                return parse(text, file, keyPath);
            } catch (ConfigException e) {
                throw new ConfigException(
                        e.getMessage() + " (included from " + source + ":" + at.line() + ":" + at.column() + ")", e);
            }
        }

        @Override
        public Object environment(String name, String source, Mark at) {
            String raw = environment.apply(name);
            if (raw == null) {
                return null;
            }
            if (environmentDepth >= MAX_ENVIRONMENT_DEPTH) {
                throw new ConfigException(source, at.line(), at.column(), "variable reference for '" + name
                        + "' nests more than " + MAX_ENVIRONMENT_DEPTH + " environment variables deep (a cycle?)");
            }
            environmentDepth++;
            try {
                return new DocumentParser(raw, "$" + name, this, null).parseStandaloneValue();
            } catch (ConfigException e) {
                if (environmentDepth > 1) {
                    throw e; // the outermost reference reports it, with the position in the configuration
                }
                throw new ConfigException(source, at.line(), at.column(),
                        "variable reference for '" + name + "' could not be parsed: " + e.reason());
            } finally {
                environmentDepth--;
            }
        }

        @Override
        public void variableUsed(String name) {
            used.add(name);
        }

        @Override
        public void keyAt(String keyPath, String source, Mark at) {
            String key = keyPath.toLowerCase(java.util.Locale.ROOT);
            positions.remove(key); // a later definition replaces the earlier one
            positions.put(key, new KeyPositions.Position(source, at.line(), at.column()));
        }

        private String cycle(Path file) {
            List<String> chain = new ArrayList<>();
            files.descendingIterator().forEachRemaining(p -> chain.add(String.valueOf(p.getFileName())));
            chain.add(String.valueOf(file.getFileName()));
            return String.join(" -> ", chain);
        }
    }

    /** The path that identifies a file for cycle detection: the real path when the file exists. */
    private static Path identity(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    private static Path parentOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? Path.of("") : parent;
    }
}
