package io.meshery.broker.microbench;

import io.meshery.broker.protocol.ParseError;
import io.meshery.broker.protocol.ProtocolParser;

/**
 * A parser handler for benchmarks: every callback does nothing except a parse error, which throws so that a bad
 * frame cannot pass for a fast one. Subclasses override what they measure.
 */
public abstract class IgnoringHandler implements ProtocolParser.Handler {

    @Override
    public void onConnect(byte[] buf, int off, int len) {
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
    }

    @Override
    public void onUnsubscribe(String sid, long max) {
    }

    @Override
    public void onPing() {
    }

    @Override
    public void onPong() {
    }

    @Override
    public void onParseError(ParseError error, String detail) {
        throw new IllegalStateException(error + ": " + detail);
    }
}
