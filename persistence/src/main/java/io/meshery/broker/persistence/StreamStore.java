package io.meshery.broker.persistence;

import java.util.List;
import java.util.function.Predicate;

/**
 * The messages of one stream, by sequence, with the limits of the stream's configuration.
 *
 * <p><b>Sequences.</b> The first append gets sequence 1; each append gets the next one; sequences are never
 * reused, whatever is removed. Removing the first live messages (purge, limits, expiry) moves
 * {@code firstSeq}; an empty stream has {@code firstSeq == lastSeq + 1}, as nats-server.
 *
 * <p><b>Threads.</b> One writer per stream: the mutating calls ({@code append*}, {@code delete},
 * {@code purge}, {@code expire}, {@code updateLimits}, {@code close}) are serialized by the store, so calling
 * them from several threads is safe, but the stream layer is expected to call them from its stream's single
 * writer. Readers ({@code get}, {@code lastBySubject}, {@code nextBySubject}, {@code state}) may run on any
 * thread at the same time as the writer; they see every write that has returned, and may see a write that
 * has not returned yet (it is stored but perhaps not yet forced to disk).
 *
 * <p><b>Subjects.</b> The store keeps a per-subject index (subject to count and to first and last sequence).
 * Wildcard matching is the caller's: filters are predicates over literal subjects.
 */
public interface StreamStore extends AutoCloseable {

    /** One message to append. */
    record Message(String subject, byte[] headers, byte[] payload, long timestamp) {
    }

    /**
     * Stores one message and returns its sequence once it is as durable as the store's sync policy says.
     *
     * @param headers   the header block, or null
     * @param timestamp epoch nanos
     * @throws StoreException a limit refused it (nothing changed), or the store failed
     */
    long append(String subject, byte[] headers, byte[] payload, long timestamp);

    /**
     * Stores the messages in order, atomically as far as limits go (a discard-NEW limit refuses all of them),
     * sharing one force. Returns the sequence of each.
     */
    long[] appendBatch(List<Message> messages);

    /** The message with this sequence, or null if it was never stored or was removed. */
    StoredMessage get(long seq);

    /** The newest live message whose subject the filter accepts, or null. */
    StoredMessage lastBySubject(Predicate<String> subjectFilter);

    /** The live message with the smallest sequence {@code >= fromSeq} whose subject the filter accepts, or null. */
    StoredMessage nextBySubject(Predicate<String> subjectFilter, long fromSeq);

    /** Removes one message; false if it was not live. */
    boolean delete(long seq);

    /** Removes messages as JetStream's {@code STREAM.PURGE}; returns how many. */
    long purge(PurgeRequest request);

    /** Removes the messages older than {@code maxAge} at {@code nowNanos}, oldest first; returns how many. */
    long expire(long nowNanos);

    /** Replaces the limits and enforces them at once (removing the oldest messages, whatever the discard policy). */
    void updateLimits(StreamLimits limits);

    StreamLimits limits();

    StreamState state();

    /** Releases files and timers; later calls throw {@link StoreException.Closed}. */
    @Override
    void close();
}
