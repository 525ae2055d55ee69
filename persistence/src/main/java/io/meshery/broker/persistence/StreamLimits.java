package io.meshery.broker.persistence;

/**
 * The limits a store enforces on append, as JetStream's stream configuration. {@code -1} (any negative
 * value, or 0 as in nats-server) means unlimited; {@code maxAgeNanos <= 0} means no age limit (JetStream's {@code max_age: 0}).
 *
 * @param maxMsgs              live messages at most
 * @param maxBytes             live bytes ({@link StoredMessage#storedSize}) at most
 * @param maxAgeNanos          age at which {@link StreamStore#expire} removes a message
 * @param maxMsgSize           headers + payload bytes of one message at most
 * @param maxMsgsPerSubject    live messages per subject at most (KV history)
 * @param discard              what a full stream does: drop the oldest or reject the new message
 * @param discardNewPerSubject with {@link Discard#NEW}, also reject when the subject is full (JetStream's
 *                             {@code discard_new_per_subject}); otherwise a full subject drops its oldest
 */
public record StreamLimits(long maxMsgs, long maxBytes, long maxAgeNanos, long maxMsgSize, long maxMsgsPerSubject,
                           Discard discard, boolean discardNewPerSubject) {

    /** No limits, discard old. */
    public static final StreamLimits UNLIMITED = new StreamLimits(-1, -1, 0, -1, -1, Discard.OLD, false);

    /** What a full stream does with a new message. */
    public enum Discard {
        /** Store the new message and remove the oldest ones until the stream fits. */
        OLD,
        /** Reject the new message with a {@link StoreException}. */
        NEW
    }

    /** As nats-server's stream defaults, 0 means unlimited for the counts and sizes (stored as -1). */
    public StreamLimits {
        if (discard == null) {
            throw new IllegalArgumentException("discard must not be null");
        }
        maxMsgs = maxMsgs == 0 ? -1 : maxMsgs;
        maxBytes = maxBytes == 0 ? -1 : maxBytes;
        maxMsgSize = maxMsgSize == 0 ? -1 : maxMsgSize;
        maxMsgsPerSubject = maxMsgsPerSubject == 0 ? -1 : maxMsgsPerSubject;
    }

    public StreamLimits withMaxMsgs(long v) {
        return new StreamLimits(v, maxBytes, maxAgeNanos, maxMsgSize, maxMsgsPerSubject, discard, discardNewPerSubject);
    }

    public StreamLimits withMaxBytes(long v) {
        return new StreamLimits(maxMsgs, v, maxAgeNanos, maxMsgSize, maxMsgsPerSubject, discard, discardNewPerSubject);
    }

    public StreamLimits withMaxAgeNanos(long v) {
        return new StreamLimits(maxMsgs, maxBytes, v, maxMsgSize, maxMsgsPerSubject, discard, discardNewPerSubject);
    }

    public StreamLimits withMaxMsgSize(long v) {
        return new StreamLimits(maxMsgs, maxBytes, maxAgeNanos, v, maxMsgsPerSubject, discard, discardNewPerSubject);
    }

    public StreamLimits withMaxMsgsPerSubject(long v) {
        return new StreamLimits(maxMsgs, maxBytes, maxAgeNanos, maxMsgSize, v, discard, discardNewPerSubject);
    }

    public StreamLimits withDiscard(Discard v) {
        return new StreamLimits(maxMsgs, maxBytes, maxAgeNanos, maxMsgSize, maxMsgsPerSubject, v, discardNewPerSubject);
    }

    public StreamLimits withDiscardNewPerSubject(boolean v) {
        return new StreamLimits(maxMsgs, maxBytes, maxAgeNanos, maxMsgSize, maxMsgsPerSubject, discard, v);
    }

    boolean limitsMsgs() {
        return maxMsgs >= 0;
    }

    boolean limitsBytes() {
        return maxBytes >= 0;
    }

    boolean limitsPerSubject() {
        return maxMsgsPerSubject > 0;
    }
}
