package io.meshery.broker.jetstream;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.util.Arrays;

/**
 * A subscriber inside the node (the API, a stream's capture, a consumer's acks, direct gets): of kind
 * {@link Subscriber.Kind#INTERNAL}, nothing to flush unless it says so, no subscription limits, no connection id.
 */
interface InternalSubscriber extends Subscriber {

    @Override
    default Kind kind() {
        return Kind.INTERNAL;
    }

    @Override
    default void flush() {
    }

    @Override
    default void subscriptionFinished(Subscription sub) {
    }

    @Override
    default long id() {
        return 0;
    }

    /** The payload of a delivered message without its header block, copied off the publisher's buffer. */
    static byte[] body(PubArgs msg, byte[] buf, int off, int len) {
        int hdr = msg.hasHeaders() ? msg.headerSize() : 0;
        return Arrays.copyOfRange(buf, off + hdr, off + len);
    }
}
