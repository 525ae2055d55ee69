package io.meshery.broker.server;

/** Why a connection ended, in nats-server's words (they show in logs and in closed-connection monitoring). */
public enum CloseReason {
    CLIENT_CLOSED("Client Closed"),
    AUTHENTICATION_TIMEOUT("Authentication Timeout"),
    AUTHENTICATION_VIOLATION("Authentication Failure"),
    SLOW_CONSUMER_PENDING_BYTES("Slow Consumer (Pending Bytes)"),
    SLOW_CONSUMER_WRITE_DEADLINE("Slow Consumer (Write Deadline)"),
    READ_ERROR("Read Error"),
    WRITE_ERROR("Write Error"),
    PARSE_ERROR("Parse Error"),
    PROTOCOL_VIOLATION("Protocol Violation"),
    BAD_CLIENT_PROTOCOL_VERSION("Bad Client Protocol Version"),
    MAX_PAYLOAD_EXCEEDED("Maximum Message Payload Exceeded"),
    MAX_CONTROL_LINE_EXCEEDED("Maximum Control Line Exceeded"),
    MAX_CONNECTIONS_EXCEEDED("Maximum Connections Exceeded"),
    STALE_CONNECTION("Stale Connection"),
    TLS_HANDSHAKE_ERROR("TLS Handshake Failure"),
    SERVER_SHUTDOWN("Server Shutdown");

    private final String text;

    CloseReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
