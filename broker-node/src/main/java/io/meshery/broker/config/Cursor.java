package io.meshery.broker.config;

/**
 * A read position in one source text, tracking the 1-based line and column for error messages. Not thread-safe:
 * one cursor per parse.
 */
final class Cursor {
    static final int EOF = -1;

    private final String text;
    private final String source;
    private int index;
    private int line = 1;
    private int column = 1;

    Cursor(String text, String source) {
        this.text = text;
        this.source = source;
        if (text.startsWith("\uFEFF")) {
            index = 1;
        }
    }

    String source() {
        return source;
    }

    /** The current character, or {@link #EOF}. */
    int peek() {
        return index < text.length() ? text.charAt(index) : EOF;
    }

    /** The character {@code ahead} places after the current one, or {@link #EOF}. */
    int peek(int ahead) {
        int i = index + ahead;
        return i < text.length() ? text.charAt(i) : EOF;
    }

    boolean atEnd() {
        return index >= text.length();
    }

    /** Consumes and returns the current character; {@link #EOF} at the end. */
    int next() {
        if (index >= text.length()) {
            return EOF;
        }
        char c = text.charAt(index++);
        if (c == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        return c;
    }

    Mark mark() {
        return new Mark(line, column);
    }

    ConfigException error(String message) {
        return error(mark(), message);
    }

    ConfigException error(Mark at, String message) {
        return new ConfigException(source, at.line(), at.column(), message);
    }

    /** A remembered position, for errors that point at the start of a token or block. */
    record Mark(int line, int column) {
        @Override
        public String toString() {
            return "line " + line + ", column " + column;
        }
    }

    /** How a character reads in an error message: {@code 'x'}, {@code new line} or {@code end of input}. */
    static String describe(int c) {
        return switch (c) {
            case EOF -> "end of input";
            case '\n' -> "new line";
            case '\r' -> "carriage return";
            case '\t' -> "tab";
            default -> "'" + (char) c + "'";
        };
    }
}
