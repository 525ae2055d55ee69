package io.meshery.broker.protocol;

/**
 * A fault found while parsing client input. Each fault closes the connection; {@link #errText()} is the
 * text nats-server sends as {@code -ERR '<text>'} before closing, or {@code null} where nats-server closes
 * without a word (malformed arguments, bad sizes, a client {@code -ERR}).
 */
public enum ParseError {
    /** The line does not start with a known operation, or the payload is not followed by CRLF. */
    UNKNOWN_OPERATION("Unknown Protocol Operation"),
    /** The control line is longer than {@code max_control_line}, ended or not. */
    MAX_CONTROL_LINE("maximum control line exceeded"),
    /** The announced payload is larger than {@code max_payload}. */
    MAX_PAYLOAD("Maximum Payload Violation"),
    /** The operation is known but its arguments are not: wrong count, bad size, bad header size. */
    BAD_ARGUMENTS(null),
    /** The client sent {@code -ERR}: nats-server closes such a client. */
    CLIENT_ERROR(null);

    private final String errText;

    ParseError(String errText) {
        this.errText = errText;
    }

    /** The {@code -ERR} text nats-server sends for this fault, or {@code null} for a silent close. */
    public String errText() {
        return errText;
    }
}
