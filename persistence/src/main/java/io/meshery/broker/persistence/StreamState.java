package io.meshery.broker.persistence;

/**
 * A snapshot of a stream's counters, as JetStream's {@code StreamInfo.state} (the consumer count is the
 * stream layer's, not the store's).
 *
 * @param msgs        live messages
 * @param bytes       bytes of the live messages, as {@link StoredMessage#storedSize}
 * @param firstSeq    the first live sequence; {@code lastSeq + 1} when the stream is empty
 * @param firstTs     the first live message's timestamp (epoch nanos), 0 when empty
 * @param lastSeq     the last sequence ever assigned, 0 when nothing was ever stored
 * @param lastTs      the last stored message's timestamp, even if it was removed since (0 when unknown)
 * @param numDeleted  the interior gaps: sequences between first and last that are no longer stored
 * @param numSubjects distinct subjects among the live messages
 */
public record StreamState(long msgs, long bytes, long firstSeq, long firstTs, long lastSeq, long lastTs,
                          long numDeleted, long numSubjects) {
}
