package io.meshery.broker.config;

import static io.meshery.broker.config.Cursor.EOF;
import static io.meshery.broker.config.Cursor.describe;

import io.meshery.broker.config.Cursor.Mark;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent reader for one nats.conf source text (a file, a string, or the value of an environment
 * variable). Includes and environment look-ups are delegated to a {@link Resolver}, so this class never touches
 * the file system or the process environment.
 *
 * <p>Grammar, as accepted by nats-server 2.9:
 * <pre>
 * document := '{' entries '}' | entries
 * entries  := ( entry ( NEWLINE | ',' | ';' | comment ) )*
 * entry    := key ( ':' | '=' | whitespace ) value  |  'include' path
 * key      := bare-key | "quoted" | 'quoted'
 * value    := '{' entries '}' | '[' values ']' | "string" | 'string' | '$' name | bare-token
 * comment  := '#' ... | '//' ...          (only where a token may start)
 * </pre>
 * A bare token ends at white space, {@code , ; ] }} or the end of input, so {@code nats://a:4222} and
 * {@code 4222#x} are single tokens. After a {@code :} or {@code =} the value must be on the same line; after a
 * key with no separator it may follow on a later line (so {@code authorization} may be followed by a
 * {@code {} on its own line).
 *
 * <p>Not thread-safe; one instance reads one text once.
 */
final class DocumentParser {
    private static final int MAX_NESTING = 64;
    private static final String ESCAPES = "\\xXX, \\t, \\n, \\r, \\\", \\\\";

    /** Resolves what a source text cannot resolve on its own. */
    interface Resolver {
        /**
         * Reads an included file and returns its top-level entries.
         *
         * @param path the path as written after {@code include}
         * @param source the including source, for error messages
         * @param at where the {@code include} keyword is
         * @param keyPath the key path of the block the entries go into ({@code ""} at the top level), or
         *     {@code null} when positions are not recorded
         */
        Map<String, Object> include(String path, String source, Mark at, String keyPath);

        /**
         * The value of environment variable {@code name}, read as a config value, or {@code null} if it is not set.
         */
        Object environment(String name, String source, Mark at);

        /** Told each time a variable is resolved from a key defined in the configuration itself. */
        void variableUsed(String name);

        /** Told where each key is written; {@code keyPath} as {@link KeyPositions} names keys. */
        void keyAt(String keyPath, String source, Mark at);
    }

    private final Cursor in;
    private final Resolver resolver;
    /** The key path this text's entries go under; null when positions are not recorded (an environment value). */
    private final String rootPath;
    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private int nesting;

    /** A parser that reports where keys are, under {@code rootPath} ({@code ""}: the top level; null: not at all). */
    DocumentParser(String text, String source, Resolver resolver, String rootPath) {
        this.in = new Cursor(text, source);
        this.resolver = resolver;
        this.rootPath = rootPath;
    }

    /** Reads the whole text as a configuration document. */
    Map<String, Object> parseDocument() {
        skipBlank();
        if (in.peek() != '{') {
            return parseEntries(null, rootPath);
        }
        Mark open = in.mark();
        in.next();
        Map<String, Object> document = parseEntries(open, rootPath);
        skipBlank();
        if (!in.atEnd()) {
            throw in.error("unexpected " + describe(in.peek()) + " after the '}' that closes the document");
        }
        return document;
    }

    /** Reads the whole text as one value (blank text reads as the empty string). */
    Object parseStandaloneValue() {
        skipBlank();
        if (in.atEnd()) {
            return "";
        }
        Object value = parseValue("value", null);
        skipBlank();
        if (!in.atEnd()) {
            throw in.error("unexpected " + describe(in.peek()) + " after the value");
        }
        return value;
    }

    /**
     * Entries up to the matching '}' (when {@code openedAt} is set) or to the end of input (top level), found at key
     * path {@code path} (null: not recorded).
     */
    private Map<String, Object> parseEntries(Mark openedAt, String path) {
        if (openedAt != null) {
            enter(openedAt);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        scopes.push(map);
        try {
            while (true) {
                skipBlank();
                int c = in.peek();
                if (c == EOF) {
                    if (openedAt != null) {
                        throw in.error(openedAt, "'{' is not closed before the end of input");
                    }
                    break;
                }
                if (c == '}') {
                    if (openedAt == null) {
                        throw in.error("unexpected '}' with no matching '{'");
                    }
                    in.next();
                    break;
                }
                parseEntry(map, openedAt != null, path);
            }
        } finally {
            scopes.pop();
            if (openedAt != null) {
                nesting--;
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private void parseEntry(Map<String, Object> map, boolean inBlock, String blockPath) {
        Mark keyAt = in.mark();
        int first = in.peek();
        boolean quoted = first == '"' || first == '\'';
        String key = quoted ? readQuoted() : readBareKey();
        if (key.isEmpty() && !quoted) {
            throw in.error(keyAt, "expected a key, found " + describe(first));
        }
        skipInlineSpace();
        int c = in.peek();
        if (c == ':' || c == '=') {
            in.next();
            skipInlineSpace();
            if (atLineEnd()) {
                throw in.error("expected a value for \"" + key + "\", found " + describeHere());
            }
        } else if (!quoted && key.equalsIgnoreCase("include")) {
            include(map, keyAt, blockPath);
            endOfValue("include", inBlock);
            return;
        } else {
            skipBlank();
            if (in.peek() == EOF || in.peek() == '}') {
                throw in.error("expected a value for \"" + key + "\", found " + describe(in.peek()));
            }
        }
        String path = blockPath == null ? null : blockPath.isEmpty() ? key : blockPath + "." + key;
        if (path != null) {
            resolver.keyAt(path, in.source(), keyAt);
        }
        put(map, key, parseValue(key, path));
        endOfValue(key, inBlock);
    }

    private void include(Map<String, Object> map, Mark at, String blockPath) {
        int c = in.peek();
        String path = c == '"' || c == '\'' ? readQuoted() : readBareToken().text();
        if (path.isEmpty()) {
            throw in.error("expected a file name after include, found " + describeHere());
        }
        resolver.include(path, in.source(), at, blockPath).forEach((k, v) -> put(map, k, v));
    }

    /** A later definition of a key replaces the earlier one and moves to the end, so order = definition order. */
    private static void put(Map<String, Object> map, String key, Object value) {
        map.remove(key);
        map.put(key, value);
    }

    private void endOfValue(String key, boolean inBlock) {
        skipInlineSpace();
        int c = in.peek();
        if (c == ',' || c == ';') {
            in.next();
        } else if (!(c == EOF || c == '\n' || isCommentStart() || (c == '}' && inBlock))) {
            throw in.error("expected a new line, ',' or ';' after the value of \"" + key + "\", found " + describe(c));
        }
    }

    /** A value of {@code key}, found at key path {@code path} (null: not recorded). */
    private Object parseValue(String key, String path) {
        Mark at = in.mark();
        int c = in.peek();
        switch (c) {
            case '{' -> {
                in.next();
                return parseEntries(at, path);
            }
            case '[' -> {
                in.next();
                return parseList(at, key, path);
            }
            case '"', '\'' -> {
                return readQuoted();
            }
            case '$' -> {
                in.next();
                return variable(at);
            }
            default -> {
                BareToken token = readBareToken();
                if (token.text().isEmpty()) {
                    throw in.error(at, "expected a value for \"" + key + "\", found " + describe(c));
                }
                if (token.escaped()) {
                    return token.text();
                }
                try {
                    return Scalars.classify(token.text());
                } catch (IllegalArgumentException e) {
                    throw in.error(at, e.getMessage());
                }
            }
        }
    }

    private List<Object> parseList(Mark openedAt, String key, String path) {
        enter(openedAt);
        List<Object> list = new ArrayList<>();
        try {
            while (true) {
                skipBlank();
                int c = in.peek();
                if (c == EOF) {
                    throw in.error(openedAt, "'[' is not closed before the end of input");
                }
                if (c == ']') {
                    in.next();
                    return Collections.unmodifiableList(list);
                }
                if (c == ',') {
                    throw in.error("unexpected ',' in a list: expected a value or ']'");
                }
                String element = path == null ? null : path + "[" + list.size() + "]";
                if (element != null) {
                    resolver.keyAt(element, in.source(), in.mark());
                }
                list.add(parseValue(key, element));
                skipInlineSpace();
                c = in.peek();
                if (c == ',') {
                    in.next();
                } else if (!(c == ']' || c == '\n' || c == EOF || isCommentStart())) {
                    throw in.error("expected ',' or ']' after a list value, found " + describe(c));
                }
            }
        } finally {
            nesting--;
        }
    }

    private Object variable(Mark at) {
        StringBuilder name = new StringBuilder();
        while (!isValueEnd(in.peek())) {
            name.append((char) in.next());
        }
        if (name.length() == 0) {
            throw in.error(at, "expected a variable name after '$'");
        }
        String n = name.toString();
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(n)) {
                resolver.variableUsed(n);
                return scope.get(n);
            }
        }
        Object value = resolver.environment(n, in.source(), at);
        if (value == null) {
            throw in.error(at, "variable reference for '" + n + "' can not be found");
        }
        return value;
    }

    private String readBareKey() {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.peek()) != EOF && !isSpace(c) && ":={}[],;\"'".indexOf(c) < 0) {
            sb.append((char) in.next());
        }
        return sb.toString();
    }

    /** An unquoted token; {@code escaped} says a backslash escape was decoded (such a token is always a string). */
    private record BareToken(String text, boolean escaped) {}

    private BareToken readBareToken() {
        StringBuilder sb = new StringBuilder();
        boolean escaped = false;
        while (!isValueEnd(in.peek())) {
            int c = in.next();
            if (c == '\\') {
                sb.append(escape());
                escaped = true;
            } else {
                sb.append((char) c);
            }
        }
        return new BareToken(sb.toString(), escaped);
    }

    /** A "double-quoted" string (with escapes, may span lines) or a 'single-quoted' one (taken literally). */
    private String readQuoted() {
        Mark at = in.mark();
        int quote = in.next();
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.next();
            if (c == EOF) {
                throw in.error(at, "unterminated string: no closing " + (char) quote + " before the end of input");
            }
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && quote == '"') {
                sb.append(escape());
            } else {
                sb.append((char) c);
            }
        }
    }

    /** Decodes the escape after a backslash. nats-server allows exactly these. */
    private char escape() {
        Mark at = in.mark();
        int c = in.next();
        return switch (c) {
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case '"' -> '"';
            case '\\' -> '\\';
            case 'x' -> {
                int hi = Character.digit(in.next(), 16);
                int lo = Character.digit(in.next(), 16);
                if (hi < 0 || lo < 0) {
                    throw in.error(at, "invalid \\x escape: expected two hexadecimal digits");
                }
                yield (char) (hi * 16 + lo);
            }
            default -> throw in.error(at, "invalid escape character " + describe(c) + "; allowed: " + ESCAPES);
        };
    }

    private void enter(Mark at) {
        if (++nesting > MAX_NESTING) {
            throw in.error(at, "blocks and lists are nested more than " + MAX_NESTING + " deep");
        }
    }

    /** Skips white space, new lines and comments. */
    private void skipBlank() {
        while (true) {
            int c = in.peek();
            if (isSpace(c)) {
                in.next();
            } else if (isCommentStart()) {
                while (in.peek() != '\n' && in.peek() != EOF) {
                    in.next();
                }
            } else {
                return;
            }
        }
    }

    private void skipInlineSpace() {
        while (in.peek() == ' ' || in.peek() == '\t' || in.peek() == '\r') {
            in.next();
        }
    }

    private boolean atLineEnd() {
        return in.peek() == '\n' || in.peek() == EOF || isCommentStart();
    }

    private boolean isCommentStart() {
        return in.peek() == '#' || (in.peek() == '/' && in.peek(1) == '/');
    }

    private String describeHere() {
        return isCommentStart() ? "a comment" : describe(in.peek());
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isValueEnd(int c) {
        return c == EOF || isSpace(c) || c == ',' || c == ';' || c == '}' || c == ']';
    }
}
