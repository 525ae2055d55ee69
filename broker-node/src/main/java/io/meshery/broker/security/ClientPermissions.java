package io.meshery.broker.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection's view of its user's {@link Permissions}, plus the reply subjects it may answer when
 * {@code allow_responses} is on.
 *
 * <p>Thread-safety: {@link #replyReceived} is called by publishers on their own threads while delivering a request
 * to this connection; everything else runs on the connection's own thread.
 */
public final class ClientPermissions {

    /** Past this many remembered reply subjects, the ones used up or expired are dropped (nats-server: 4096). */
    private static final int REPLY_PRUNE_THRESHOLD = 4096;

    private final Permissions permissions;
    private final Permissions.Responses responses;
    private final ConcurrentHashMap<String, Reply> replies;

    /** A reply subject this responder received, when, and how many times it has answered it. */
    private static final class Reply {
        final long receivedNanos = System.nanoTime();
        volatile int answers;
    }

    public ClientPermissions(Permissions permissions) {
        this.permissions = permissions;
        this.responses = permissions.responses();
        this.replies = responses == null ? null : new ConcurrentHashMap<>();
    }

    /** Whether a PUB to {@code subject} is allowed, counting it as an answer when it is a reply subject. */
    public boolean canPublish(String subject) {
        if (permissions.canPublish(subject)) {
            return true;
        }
        if (replies == null) {
            return false;
        }
        Reply r = replies.get(subject);
        if (r == null) {
            return false;
        }
        r.answers++;
        long expires = responses.expires().toNanos();
        boolean usedUp = responses.maxMsgs() > 0 && r.answers > responses.maxMsgs();
        boolean expired = expires > 0 && System.nanoTime() - r.receivedNanos > expires;
        if (usedUp || expired) {
            replies.remove(subject, r);
            return false;
        }
        return true;
    }

    public boolean canSubscribe(String subject, String queue) {
        return queue == null ? permissions.canSubscribe(subject) : permissions.canQueueSubscribe(subject, queue);
    }

    /** Whether a message on {@code subject} must be withheld from this connection. */
    public boolean deniesDelivery(String subject) {
        return permissions.deniesDelivery(subject);
    }

    /** Whether {@link #replyReceived} needs to be told about reply subjects at all. */
    public boolean tracksReplies() {
        return replies != null;
    }

    /** A request with reply subject {@code reply} is being delivered to this connection. */
    public void replyReceived(String reply) {
        replies.put(reply, new Reply());
        if (replies.size() > REPLY_PRUNE_THRESHOLD) {
            prune();
        }
    }

    private void prune() {
        long now = System.nanoTime();
        long expires = responses.expires().toNanos();
        int max = responses.maxMsgs();
        replies.values().removeIf(r -> (expires > 0 && now - r.receivedNanos > expires) || (max > 0 && r.answers >= max));
    }
}
