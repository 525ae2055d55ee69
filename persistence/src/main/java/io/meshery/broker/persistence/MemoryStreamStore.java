package io.meshery.broker.persistence;

/**
 * A {@link StreamStore} in memory (JetStream's {@code storage: memory}): the messages are kept in the
 * sequence table itself; nothing survives the process.
 *
 * <p>Thread-safety: as every store, one writer at a time (serialized by a write lock) and any number of
 * concurrent readers under the read lock; see {@link AbstractStreamStore}.
 */
public final class MemoryStreamStore extends AbstractStreamStore {

    public MemoryStreamStore(String name, StreamLimits limits) {
        this(name, limits, null);
    }

    public MemoryStreamStore(String name, StreamLimits limits, RemovalListener listener) {
        super(name, limits, listener, true);
    }

    @Override
    protected long journalMessage(long seq, String subject, byte[] subjectBytes, byte[] headers, byte[] payload,
                                  long ts) {
        return 0;
    }

    @Override
    protected Object refOf(long seq, String subject, byte[] headers, byte[] payload, long ts) {
        return new StoredMessage(seq, subject, headers == null ? null : headers.clone(), payload.clone(), ts);
    }

    @Override
    protected void journalTombstone(long seq) {
    }

    @Override
    protected void journalFloor(long floor) {
    }

    @Override
    protected long commit() {
        return 0;
    }

    @Override
    protected void rollback(java.io.IOException cause) {
        throw new IllegalStateException("the memory store does no I/O", cause);
    }

    @Override
    protected void awaitDurable(long ticket) {
    }

    @Override
    protected Object locate(long seq) {
        return table.ref(seq);
    }

    @Override
    protected StoredMessage fetch(long seq, Object handle) {
        StoredMessage m = (StoredMessage) handle;
        return new StoredMessage(m.seq(), m.subject(), m.headers() == null ? null : m.headers().clone(),
                m.payload().clone(), m.timestamp());
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            resetTable(table.next(), true);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryStreamStore[" + name + "]";
    }
}
