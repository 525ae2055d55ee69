package io.meshery.broker.config;

/**
 * A configuration that cannot be used: a syntax error in a nats.conf file, a value of the wrong type or out of
 * range, or a bad command-line value.
 *
 * <p>The message is written for the operator and is complete on its own. An error in a file reads
 * {@code <file>:<line>:<column>: <what>}, as nats-server's do: a syntax error, an unknown key
 * ({@code unknown field "max_paylod"}), access control the node does not implement, or a bad value, which also
 * names the key, for example {@code nats.conf:2:1: max_payload: invalid size "abc"}. Value errors are raised
 * without a position, naming the key, and {@link KeyPositions#locate(ConfigException)} adds it. Several errors
 * found at once are one exception, one per line. Callers print {@link #getMessage()} and never the stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String reason;

    /** A value error that has no position in a file (the message names the key instead). */
    public ConfigException(String message) {
        super(message);
        this.source = null;
        this.line = 0;
        this.column = 0;
        this.reason = message;
    }

    /** A syntax error at {@code line}:{@code column} (both 1-based) of {@code source}. */
    public ConfigException(String source, int line, int column, String reason) {
        super(source + ":" + line + ":" + column + ": " + reason);
        this.source = source;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** An error whose message adds context to a more specific one, keeping the cause's position. */
    ConfigException(String message, ConfigException cause) {
        super(message, cause);
        this.source = cause.source;
        this.line = cause.line;
        this.column = cause.column;
        this.reason = message;
    }

    /** The file name (or {@code <string>}) of a syntax error, or {@code null} for a value error. */
    public String source() {
        return source;
    }

    /** The 1-based line of a syntax error, or 0 when the error has no position. */
    public int line() {
        return line;
    }

    /** The 1-based column of a syntax error, or 0 when the error has no position. */
    public int column() {
        return column;
    }

    /** The message without the {@code source:line:column:} prefix. */
    public String reason() {
        return reason;
    }
}
