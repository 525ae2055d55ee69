package io.meshery.broker.server;

import io.meshery.broker.routing.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What monitoring shows of one client connection, copied out at one moment: of an open connection when
 * {@code /connz} asks, of a closed one when it closed (then {@code stop} and {@code reason} are set).
 * A copy, so that a closed connection kept for monitoring holds none of its buffers.
 *
 * @param rtt the last measured round trip; zero until one was measured
 * @param user the user name the client sent in CONNECT (never a password or token), or {@code null}
 * @param subscriptions the subscriptions at the time of the copy
 */
public record ConnectionInfo(
    long cid,
    String ip,
    int port,
    Instant start,
    Instant lastActivity,
    Instant stop,
    CloseReason reason,
    Duration rtt,
    long pendingBytes,
    long inMsgs,
    long outMsgs,
    long inBytes,
    long outBytes,
    String name,
    String lang,
    String version,
    String user,
    List<Sub> subscriptions) {

    /** One subscription of the connection. {@code queue} is {@code null} for a plain one; {@code max} 0 when unlimited. */
    public record Sub(String subject, String queue, String sid, long msgs, long max) {

        /** A copy of {@code s} as it stands now. */
        public static Sub of(Subscription s) {
            return new Sub(s.subject(), s.queue(), s.sid(), s.delivered(), s.max());
        }
    }

    public boolean isClosed() {
        return stop != null;
    }
}
