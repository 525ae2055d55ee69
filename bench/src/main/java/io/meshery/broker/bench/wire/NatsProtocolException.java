package io.meshery.broker.bench.wire;

import java.io.IOException;

/** The server sent bytes that are not a valid NATS frame, or answered with {@code -ERR}. */
public final class NatsProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, including the offending text where it helps */
    public NatsProtocolException(String message) {
        super(message);
    }
}
