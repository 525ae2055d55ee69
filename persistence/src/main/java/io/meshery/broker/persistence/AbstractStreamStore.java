package io.meshery.broker.persistence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The semantics of {@link StreamStore} (sequences, limits, purge, the per-subject index, state) over an
 * in-memory {@link SeqTable}; subclasses say where the bytes live through the {@code journal*} hooks.
 *
 * <p>Thread-safety: one {@link ReentrantReadWriteLock}. A mutating call holds the write lock while it checks
 * limits (before changing anything), changes the table, journals its records and commits them (the write to
 * the file, for the file store); it forces them to disk after releasing the lock, so concurrent writers share
 * a force. Readers hold the read lock only to find a message and read its bytes after releasing it.
 */
abstract class AbstractStreamStore implements StreamStore {

    private record Removed(long seq, String subject) {
    }

    protected final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    protected final SubjectIndex subjects = new SubjectIndex();
    protected final String name;
    private final RemovalListener listener;
    protected SeqTable table;
    protected StreamLimits limits;
    protected long msgs;
    protected long bytes;
    protected long lastTs;
    protected boolean closed;
    private boolean headMoved;
    private List<Removed> removed = new ArrayList<>();

    protected AbstractStreamStore(String name, StreamLimits limits, RemovalListener listener, boolean withRefs) {
        this.name = name;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = listener;
        this.table = new SeqTable(1, withRefs);
    }

    // ---- hooks, called with the write lock held (except awaitDurable and fetch)

    /** Journals a message record; returns its location for {@link #locate}. */
    protected abstract long journalMessage(long seq, String subject, byte[] subjectBytes, byte[] headers,
                                           byte[] payload, long ts) throws IOException;

    /** The object kept in the table for a message (the memory store keeps the message itself). */
    protected Object refOf(long seq, String subject, byte[] headers, byte[] payload, long ts) {
        return null;
    }

    protected abstract void journalTombstone(long seq) throws IOException;

    protected abstract void journalFloor(long floor) throws IOException;

    /** Writes the journaled records; returns the ticket to pass to {@link #awaitDurable}. */
    protected abstract long commit() throws IOException;

    /** After a successful commit, still under the write lock. */
    protected void afterCommit() throws IOException {
    }

    /** A journal or commit failed: put memory back in line with the disk (or mark the store failed). */
    protected abstract void rollback(IOException cause);

    /** Waits until the records up to the ticket are as durable as the policy says (no lock held). */
    protected abstract void awaitDurable(long ticket) throws IOException;

    /** A handle for reading the live message {@code seq} outside the lock. */
    protected abstract Object locate(long seq);

    /** Reads the message; null if it vanished since it was located (removed concurrently). */
    protected abstract StoredMessage fetch(long seq, Object handle);

    /** Throws if the store cannot take a write (closed or failed). */
    protected void ensureWritable() {
        if (closed) {
            throw new StoreException.Closed(name);
        }
    }

    // ---- writes

    @FunctionalInterface
    private interface Op<T> {
        T run() throws IOException;
    }

    private <T> T write(Op<T> op) {
        long ticket;
        T result;
        List<Removed> notify;
        lock.writeLock().lock();
        try {
            ensureWritable();
            headMoved = false;
            try {
                result = op.run();
                if (headMoved) {
                    journalFloor(table.first());
                }
                ticket = commit();
                afterCommit();
            } catch (IOException e) {
                removed.clear();
                rollback(e);
                throw new StoreException.IoFailure("store " + name + ": write failed, nothing was acknowledged", e);
            }
            notify = removed.isEmpty() ? List.of() : removed;
            if (!notify.isEmpty()) {
                removed = new ArrayList<>();
            }
        } finally {
            lock.writeLock().unlock();
        }
        try {
            awaitDurable(ticket);
        } catch (IOException e) {
            throw new StoreException.IoFailure("store " + name + ": force failed, the write is not acknowledged", e);
        }
        if (listener != null) {
            for (Removed r : notify) {
                listener.removed(r.seq, r.subject);
            }
        }
        return result;
    }

    @Override
    public long append(String subject, byte[] headers, byte[] payload, long timestamp) {
        return appendBatch(List.of(new Message(subject, headers, payload, timestamp)))[0];
    }

    @Override
    public long[] appendBatch(List<Message> batch) {
        return write(() -> doAppend(batch));
    }

    private long[] doAppend(List<Message> batch) throws IOException {
        StreamLimits l = limits;
        byte[][] subjectBytes = new byte[batch.size()][];
        long addMsgs = 0;
        long addBytes = 0;
        java.util.Map<String, Long> perSubject = null;
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            if (m.subject() == null || m.subject().isEmpty() || m.payload() == null) {
                throw new IllegalArgumentException("a message needs a subject and a payload");
            }
            subjectBytes[i] = Records.subjectBytes(m.subject());
            int h = m.headers() == null ? 0 : m.headers().length;
            long body = (long) h + m.payload().length;
            if (l.maxMsgSize() >= 0 && body > l.maxMsgSize()) {
                throw new StoreException.MessageTooLarge(body, l.maxMsgSize());
            }
            long size = StoredMessage.storedSize(subjectBytes[i].length, h, m.payload().length);
            if (size > Records.MAX_RECORD_BYTES) {
                throw new StoreException.MessageTooLarge(body, Records.MAX_RECORD_BYTES - Records.HEADER_BYTES);
            }
            if (l.limitsBytes() && size > l.maxBytes()) {
                throw new StoreException.MaximumBytesExceeded(size, l.maxBytes());
            }
            if (l.discard() == StreamLimits.Discard.NEW) {
                if (l.limitsMsgs() && msgs + addMsgs + 1 > l.maxMsgs()) {
                    throw new StoreException.MaximumMessagesExceeded(l.maxMsgs());
                }
                if (l.limitsBytes() && bytes + addBytes + size > l.maxBytes()) {
                    throw new StoreException.MaximumBytesExceeded(size, l.maxBytes());
                }
                if (l.discardNewPerSubject() && l.limitsPerSubject()) {
                    if (perSubject == null) {
                        perSubject = new java.util.HashMap<>();
                    }
                    SubjectIndex.Info info = subjects.get(m.subject());
                    long now = perSubject.getOrDefault(m.subject(), info == null ? 0 : info.count) + 1;
                    if (now > l.maxMsgsPerSubject()) {
                        throw new StoreException.MaximumMessagesPerSubjectExceeded(m.subject(), l.maxMsgsPerSubject());
                    }
                    perSubject.put(m.subject(), now);
                }
            }
            addMsgs++;
            addBytes += size;
        }
        long[] seqs = new long[batch.size()];
        SubjectIndex.Info[] touched = new SubjectIndex.Info[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            long seq = table.next();
            long loc = journalMessage(seq, m.subject(), subjectBytes[i], m.headers(), m.payload(), m.timestamp());
            int h = m.headers() == null ? 0 : m.headers().length;
            int size = (int) StoredMessage.storedSize(subjectBytes[i].length, h, m.payload().length);
            SubjectIndex.Info info = subjects.added(m.subject(), seq);
            table.append(info.subject, m.timestamp(), size, loc,
                    refOf(seq, info.subject, m.headers(), m.payload(), m.timestamp()));
            msgs++;
            bytes += size;
            lastTs = m.timestamp();
            seqs[i] = seq;
            touched[i] = info;
        }
        if (l.limitsPerSubject()) {
            for (SubjectIndex.Info info : touched) {
                trimSubject(info, l.maxMsgsPerSubject());
            }
        }
        trimHead(l);
        return seqs;
    }

    private void trimSubject(SubjectIndex.Info info, long max) throws IOException {
        while (info.count > max) {
            removeLive(firstOf(info, true), true, true);
        }
    }

    private void trimHead(StreamLimits l) throws IOException {
        while (l.limitsMsgs() && msgs > l.maxMsgs()) {
            removeLive(table.first(), false, true);
        }
        while (l.limitsBytes() && bytes > l.maxBytes()) {
            removeLive(table.first(), false, true);
        }
    }

    /** Removes a live message: a tombstone for it, or (head removals) a floor record at the end of the call. */
    private void removeLive(long seq, boolean tombstone, boolean notify) throws IOException {
        String subject = table.subject(seq);
        msgs--;
        bytes -= table.size(seq);
        table.kill(seq);
        subjects.removed(subject);
        if (tombstone) {
            journalTombstone(seq);
        } else {
            headMoved = true;
        }
        if (notify && listener != null) {
            removed.add(new Removed(seq, subject));
        }
        if (seq == table.first()) {
            table.skipRemoved();
        }
    }

    @Override
    public boolean delete(long seq) {
        return write(() -> {
            if (!table.live(seq)) {
                return false;
            }
            removeLive(seq, true, true);
            return true;
        });
    }

    @Override
    public long expire(long nowNanos) {
        return write(() -> {
            long maxAge = limits.maxAgeNanos();
            if (maxAge <= 0) {
                return 0L;
            }
            long cutoff = nowNanos - maxAge;
            long n = 0;
            while (msgs > 0 && table.time(table.first()) <= cutoff) {
                removeLive(table.first(), false, true);
                n++;
            }
            return n;
        });
    }

    @Override
    public void updateLimits(StreamLimits newLimits) {
        Objects.requireNonNull(newLimits, "limits");
        write(() -> {
            limits = newLimits;
            if (newLimits.limitsPerSubject()) {
                for (SubjectIndex.Info info : subjects.matching(null)) {
                    trimSubject(info, newLimits.maxMsgsPerSubject());
                }
            }
            trimHead(newLimits);
            return null;
        });
    }

    @Override
    public StreamLimits limits() {
        lock.readLock().lock();
        try {
            return limits;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Enforces the limits after recovery; call with the write lock held through {@link #writeLocked}. */
    protected final void enforceLimitsLocked() throws IOException {
        if (limits.limitsPerSubject()) {
            for (SubjectIndex.Info info : subjects.matching(null)) {
                trimSubject(info, limits.maxMsgsPerSubject());
            }
        }
        trimHead(limits);
    }

    /** Runs a write op from a subclass (e.g. limits after open), with journal, commit and force. */
    protected final void writeLocked(Op0 op) {
        write(() -> {
            op.run();
            return null;
        });
    }

    /** A write op without a result. */
    @FunctionalInterface
    protected interface Op0 {
        void run() throws IOException;
    }

    // ---- purge

    @Override
    public long purge(PurgeRequest request) {
        Objects.requireNonNull(request, "request");
        return write(() -> doPurge(request));
    }

    private long doPurge(PurgeRequest r) throws IOException {
        List<SubjectIndex.Info> matching = r.filter() == null ? null : subjects.matching(r.filter());
        boolean everySubject = matching == null || matching.size() == subjects.size();
        if (matching != null && matching.isEmpty()) {
            return 0;
        }
        if (everySubject) {
            if (r.keep() > 0) {
                if (msgs <= r.keep()) {
                    return 0;
                }
                long s = table.next() - 1;
                for (long kept = 0; ; s--) {
                    if (table.subject(s) != null && ++kept == r.keep()) {
                        break;
                    }
                }
                return purgeBelow(s);
            }
            return purgeBelow(r.upToSeq() > 0 ? r.upToSeq() : table.next());
        }
        long total = 0;
        long lo = Long.MAX_VALUE;
        Set<String> set = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SubjectIndex.Info info : matching) {
            total += info.count;
            lo = Math.min(lo, info.firstHint);
            set.add(info.subject);
        }
        long toRemove = total;
        long upTo = table.next();
        if (r.keep() > 0) {
            toRemove = total - r.keep();
        } else if (r.upToSeq() > 0) {
            upTo = Math.min(upTo, r.upToSeq());
        }
        long n = 0;
        for (long s = Math.max(lo, table.first()); s < upTo && n < toRemove; s++) {
            String subject = table.subject(s);
            if (subject != null && set.contains(subject)) {
                removeLive(s, true, false);
                n++;
            }
        }
        return n;
    }

    /** Removes every message below {@code upTo}: one floor record. */
    private long purgeBelow(long upTo) {
        long to = Math.min(upTo, table.next());
        if (to <= table.first()) {
            return 0;
        }
        long n;
        if (to == table.next()) {
            n = msgs;
            msgs = 0;
            bytes = 0;
            subjects.clear();
        } else {
            n = 0;
            for (long s = table.first(); s < to; s++) {
                String subject = table.subject(s);
                if (subject != null) {
                    msgs--;
                    bytes -= table.size(s);
                    subjects.removed(subject);
                    n++;
                }
            }
        }
        table.advanceTo(to);
        table.skipRemoved();
        headMoved = true;
        return n;
    }

    // ---- reads

    /** The first live sequence of the subject; tightens the hint when the caller holds the write lock. */
    private long firstOf(SubjectIndex.Info info, boolean tighten) {
        long s = Math.max(info.firstHint, table.first());
        while (table.subject(s) != info.subject) {
            s++;
        }
        if (tighten) {
            info.firstHint = s;
        }
        return s;
    }

    private long lastOf(SubjectIndex.Info info) {
        long s = Math.min(info.lastHint, table.next() - 1);
        while (table.subject(s) != info.subject) {
            s--;
        }
        return s;
    }

    @FunctionalInterface
    private interface Finder {
        /** The sequence to read, or -1; called with the read lock held. */
        long find();
    }

    private StoredMessage read(Finder finder) {
        for (int attempt = 0; ; attempt++) {
            long seq;
            Object handle;
            lock.readLock().lock();
            try {
                if (closed) {
                    throw new StoreException.Closed(name);
                }
                seq = finder.find();
                if (seq < 0) {
                    return null;
                }
                handle = locate(seq);
            } finally {
                lock.readLock().unlock();
            }
            StoredMessage m = fetch(seq, handle);
            if (m != null || attempt == 3) {
                return m;
            }
        }
    }

    @Override
    public StoredMessage get(long seq) {
        return read(() -> table.live(seq) ? seq : -1);
    }

    @Override
    public StoredMessage lastBySubject(Predicate<String> filter) {
        Objects.requireNonNull(filter, "filter");
        return read(() -> {
            List<SubjectIndex.Info> matching = subjects.matching(filter);
            matching.sort(Comparator.comparingLong((SubjectIndex.Info i) -> i.lastHint).reversed());
            long best = -1;
            for (SubjectIndex.Info info : matching) {
                if (info.lastHint <= best) {
                    break;
                }
                best = Math.max(best, lastOf(info));
            }
            return best;
        });
    }

    @Override
    public StoredMessage nextBySubject(Predicate<String> filter, long fromSeq) {
        Objects.requireNonNull(filter, "filter");
        return read(() -> {
            List<SubjectIndex.Info> matching = subjects.matching(filter);
            if (matching.isEmpty()) {
                return -1;
            }
            long lo = Math.max(fromSeq, table.first());
            if (matching.size() == subjects.size()) {
                for (long s = lo; s < table.next(); s++) {
                    if (table.subject(s) != null) {
                        return s;
                    }
                }
                return -1;
            }
            long minFirst = Long.MAX_VALUE;
            long hi = -1;
            Set<String> set = Collections.newSetFromMap(new IdentityHashMap<>());
            for (SubjectIndex.Info info : matching) {
                minFirst = Math.min(minFirst, info.firstHint);
                hi = Math.max(hi, info.lastHint);
                set.add(info.subject);
            }
            hi = Math.min(hi, table.next() - 1);
            for (long s = Math.max(lo, minFirst); s <= hi; s++) {
                String subject = table.subject(s);
                if (subject != null && set.contains(subject)) {
                    return s;
                }
            }
            return -1;
        });
    }

    @Override
    public StreamState state() {
        lock.readLock().lock();
        try {
            long first = table.first();
            long last = table.next() - 1;
            long firstTs = msgs > 0 ? table.time(first) : 0;
            long deleted = msgs > 0 ? (last - first + 1) - msgs : 0;
            return new StreamState(msgs, bytes, first, firstTs, last, lastTs, deleted, subjects.size());
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- recovery helpers for subclasses (write lock held, or before the store is published)

    /** Starts an empty table at {@code firstSeq}. */
    protected final void resetTable(long firstSeq, boolean withRefs) {
        table = new SeqTable(firstSeq, withRefs);
        subjects.clear();
        msgs = 0;
        bytes = 0;
        lastTs = 0;
    }

    /** Adds a recovered message record; sequences below it that were never seen become gaps. */
    protected final void recoverMessage(long seq, String subject, long ts, int size, long loc) {
        if (seq < table.next()) {
            throw new StoreException.Corrupt("store " + name + ": sequence " + seq + " recovered twice");
        }
        while (table.next() < seq) {
            table.append(null, 0, 0, 0, null);
        }
        SubjectIndex.Info info = subjects.added(subject, seq);
        table.append(info.subject, ts, size, loc, null);
        msgs++;
        bytes += size;
        lastTs = ts;
    }

    /** Extends the table with removed slots up to {@code nextSeq} (sequences lost or never seen). */
    protected final void recoverGap(long nextSeq) {
        while (table.next() < nextSeq) {
            table.append(null, 0, 0, 0, null);
        }
    }

    /** Applies a recovered tombstone. */
    protected final void recoverTombstone(long seq) {
        if (table.live(seq)) {
            msgs--;
            bytes -= table.size(seq);
            subjects.removed(table.subject(seq));
            table.kill(seq);
        }
    }

    /** Applies the recovered floor and moves {@code first} to the first live sequence. */
    protected final void recoverFloor(long floor) {
        purgeBelow(Math.max(floor, table.first()));
        table.skipRemoved();
        if (floor > table.next()) {
            table.advanceTo(floor);
        }
        headMoved = false;
    }
}
