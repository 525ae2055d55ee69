package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StreamStore} on disk. Layout of the stream's directory (see {@code docs/storage-format.md}):
 * <pre>
 * LOCK                        held with a file lock while the store is open (one opener at a time)
 * 00000000000000000001.seg    records of messages from sequence 1 (see {@link Records}), tombstones, floors
 * 00000000000000000001.idx    its dense index, written when the segment is sealed ({@link SegmentIndexFile})
 * 00000000000000004711.seg    the active segment: the last one, the only one written, never indexed
 * </pre>
 * A segment is sealed when the next message would take it past {@link FileStoreConfig#segmentBytes()}.
 * Deletes and filtered purges append a tombstone; removals from the head (purge up to, keep, limits, expiry)
 * append one floor record per call. Segments wholly below the first live sequence are deleted, after the
 * records that removed their messages are forced.
 *
 * <p><b>Recovery</b> ({@link #open}): sealed segments with a valid index are loaded from it; the active
 * segment, and any sealed one whose index is missing or inconsistent, is read record by record and truncated
 * at the first bad record (bad length, short read, CRC mismatch, out-of-order sequence); the bytes dropped
 * are logged and returned in {@link #recoveryReport()}. A truncated sealed segment leaves a gap of lost
 * sequences, which count as deleted. Then tombstones and the highest floor are applied and the limits
 * enforced.
 *
 * <p><b>Durability</b>: see {@link SyncPolicy}. A write that fails (full disk) truncates the active segment
 * back to its last whole record and reloads the in-memory state from the files; if even that fails the
 * store refuses writes until it is reopened. Either way nothing acknowledged is lost.
 *
 * <p><b>Threads</b>: one writer (serialized by the write lock of {@link AbstractStreamStore}); readers find a
 * message under the read lock and read it with a positional read on a channel from the
 * {@link ReadChannelCache}, never on the writer's channel. Open handles: the writer's channel and the
 * {@code LOCK} file per store, plus the read cache's capacity (per store, or per process if shared).
 */
public final class FileStreamStore extends AbstractStreamStore {

    private static final System.Logger LOG = System.getLogger(FileStreamStore.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private record Location(Segment segment, int position, int size) {
    }

    private final FileStoreConfig config;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final GroupCommit groupCommit = new GroupCommit(new GroupCommit.Store() {
        @Override
        public GroupCommit.Target target() throws IOException {
            lock.readLock().lock();
            try {
                if (failure != null) {
                    throw new IOException("store failed earlier", failure);
                }
                return new GroupCommit.Target(active, active.writer, written);
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public boolean closed() {
            return closed;
        }
    });
    private Segment active;
    private ByteBuffer pending = ByteBuffer.allocate(64 << 10);
    private long written;
    private volatile IOException failure;
    private ScheduledFuture<?> timer;
    private RecoveryReport report;

    private FileStreamStore(FileStoreConfig config, StreamLimits limits, RemovalListener listener,
                            FileChannel lockChannel, FileLock dirLock) {
        super(config.dir().toString(), limits, listener, false);
        this.config = config;
        this.lockChannel = lockChannel;
        this.dirLock = dirLock;
    }

    public static FileStreamStore open(FileStoreConfig config, StreamLimits limits) {
        return open(config, limits, null);
    }

    /**
     * Opens (creating if needed) the store in {@code config.dir()}, recovers it and enforces the limits.
     *
     * @throws StoreException if the directory is open already, or cannot be read or repaired
     */
    public static FileStreamStore open(FileStoreConfig config, StreamLimits limits, RemovalListener listener) {
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(config.dir());
            lockChannel = FileChannel.open(config.dir().resolve("LOCK"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock dirLock;
            try {
                dirLock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                dirLock = null;
            }
            if (dirLock == null) {
                throw new StoreException("store " + config.dir() + " is open already");
            }
            FileStreamStore store = new FileStreamStore(config, limits, listener, lockChannel, dirLock);
            store.lock.writeLock().lock();
            try {
                store.report = store.recover();
            } catch (IOException | RuntimeException e) {
                store.closeFiles();
                throw e;
            } finally {
                store.lock.writeLock().unlock();
            }
            try {
                store.writeLocked(store::enforceLimitsLocked);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            if (config.sync() instanceof SyncPolicy.Interval interval) {
                long ms = Math.max(1, interval.every().toMillis());
                store.timer = GroupCommit.TIMER.scheduleWithFixedDelay(store::syncOnTimer, ms, ms, TimeUnit.MILLISECONDS);
            }
            return store;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new StoreException.IoFailure("cannot open store " + config.dir(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /** What the last {@link #open} found and repaired. */
    public RecoveryReport recoveryReport() {
        return report;
    }

    /** Segment files now (for tests and monitoring). */
    int segmentCount() {
        lock.readLock().lock();
        try {
            return segments.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- recovery

    /** Loads every segment, repairing what must be, and rebuilds the in-memory state. Write lock held. */
    private RecoveryReport recover() throws IOException {
        closeSegmentChannels();
        segments.clear();
        active = null;
        pending.clear();
        List<Long> bases = Segment.list(config.dir());
        if (bases.isEmpty()) {
            Segment first = new Segment(config.dir(), 1);
            createFile(first);
            bases.add(1L);
        }
        resetTable(bases.get(0), false);
        long floor = bases.get(0);
        long[] tombstones = new long[16];
        int tombstoneCount = 0;
        int scanned = 0;
        int rebuilt = 0;
        long lost = 0;
        List<RecoveryReport.Truncation> truncations = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            boolean last = i == bases.size() - 1;
            Segment seg = new Segment(config.dir(), bases.get(i));
            if (table.next() > seg.base) {
                throw new StoreException.Corrupt("store " + name + ": segment " + seg + " starts at " + seg.base
                        + " but the one before ends at " + (table.next() - 1));
            }
            if (i > 0) {
                lost += seg.base - table.next();
            }
            SegmentContents c = last ? null : SegmentIndexFile.read(seg.indexPath, seg.base, Files.size(seg.path));
            if (c == null) {
                scanned++;
                SegmentScanner.Result r;
                FileChannel ch = config.opener().open(seg.path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
                try {
                    r = SegmentScanner.recover(ch, seg.base, seg.toString());
                } catch (IOException | RuntimeException e) {
                    closeQuietly(ch);
                    throw e;
                }
                c = r.contents();
                if (r.truncation() != null) {
                    truncations.add(r.truncation());
                    LOG.log(System.Logger.Level.WARNING, "store {0}: truncated {1} at {2}, dropped {3} bytes: {4}",
                            name, seg, String.valueOf(r.truncation().offset()), String.valueOf(r.truncation().bytesDropped()),
                            r.truncation().reason());
                }
                if (last) {
                    seg.writer = ch;
                    Files.deleteIfExists(seg.indexPath);
                } else {
                    ch.close();
                    try {
                        SegmentIndexFile.write(seg.indexPath, seg.base, c, config.opener());
                        rebuilt++;
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "store {0}: cannot write the index of {1}: {2}", name, seg, e);
                    }
                }
            }
            seg.size = c.end();
            seg.nextSeq = seg.base + c.messages();
            recoverGap(seg.base);
            for (int j = 0; j < c.count(); j++) {
                long f = c.seqField(j);
                if ((f & Records.TOMBSTONE_BIT) != 0) {
                    if (tombstoneCount == tombstones.length) {
                        tombstones = Arrays.copyOf(tombstones, tombstoneCount * 2);
                    }
                    tombstones[tombstoneCount++] = f & Records.SEQ_MASK;
                } else if ((f & Records.FLOOR_BIT) != 0) {
                    floor = Math.max(floor, f & Records.SEQ_MASK);
                } else {
                    recoverMessage(f, c.subject(j), c.time(j), c.length(j), c.position(j));
                }
            }
            if (last) {
                seg.contents = c;
                active = seg;
            }
            segments.put(seg.base, seg);
        }
        for (int i = 0; i < tombstoneCount; i++) {
            recoverTombstone(tombstones[i]);
        }
        recoverFloor(floor);
        deleteDeadHeads(false);
        RecoveryReport r = new RecoveryReport(bases.size(), scanned, rebuilt, truncations, lost);
        if (!truncations.isEmpty() || lost > 0 || rebuilt > 0) {
            LOG.log(System.Logger.Level.WARNING, "store {0}: recovered with {1} bytes truncated, {2} sequences lost, "
                    + "{3} indexes rebuilt", name, String.valueOf(r.bytesTruncated()), String.valueOf(lost), String.valueOf(rebuilt));
        }
        return r;
    }

    private void createFile(Segment seg) throws IOException {
        seg.writer = config.opener().open(seg.path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
        seg.contents = new SegmentContents();
        fsyncDirectory();
    }

    // ---- the journal

    @Override
    protected void ensureWritable() {
        super.ensureWritable();
        IOException f = failure;
        if (f != null) {
            throw new StoreException.IoFailure("store " + name + " failed earlier; close and reopen it", f);
        }
    }

    @Override
    protected long journalMessage(long seq, String subject, byte[] subjectBytes, byte[] headers, byte[] payload,
                                  long ts) throws IOException {
        int length = Records.HEADER_BYTES + subjectBytes.length + (headers == null ? 0 : headers.length) + payload.length;
        long at = active.size + pending.position();
        if (at > 0 && at + length > config.segmentBytes()) {
            roll(seq);
            at = 0;
        }
        reserve(length);
        Records.encode(pending, seq, ts, subjectBytes, headers, payload);
        active.contents.add(seq, ts, (int) at, length, subject);
        active.nextSeq = seq + 1;
        return at;
    }

    @Override
    protected void journalTombstone(long seq) {
        control(Records.TOMBSTONE_BIT | seq);
    }

    @Override
    protected void journalFloor(long floor) {
        control(Records.FLOOR_BIT | floor);
    }

    private void control(long seqField) {
        long at = active.size + pending.position();
        long now = System.currentTimeMillis() * 1_000_000L;
        reserve(Records.HEADER_BYTES);
        Records.encode(pending, seqField, now, EMPTY, null, EMPTY);
        active.contents.add(seqField, now, (int) at, Records.HEADER_BYTES, null);
    }

    private void reserve(int length) {
        if (pending.remaining() < length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
    }

    @Override
    protected long commit() throws IOException {
        flushPending();
        if (pending.capacity() > 1 << 20) {
            pending = ByteBuffer.allocate(64 << 10);
        }
        return written;
    }

    private void flushPending() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        long at = active.size;
        while (pending.hasRemaining()) {
            at += active.writer.write(pending, at);
        }
        int n = pending.limit();
        active.size += n;
        written += n;
        pending.clear();
    }

    /** Seals the active segment (flush, force, index) and starts one at {@code nextBase}. */
    private void roll(long nextBase) throws IOException {
        flushPending();
        Segment old = active;
        old.writer.force(false);
        old.forcedForGood = true;
        try {
            SegmentIndexFile.write(old.indexPath, old.base, old.contents, config.opener());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "store {0}: index of {1} not written, rebuilt on open: {2}", name, old, e);
        }
        old.writer.close();
        old.writer = null;
        old.contents = null;
        Segment seg = new Segment(config.dir(), nextBase);
        createFile(seg);
        segments.put(seg.base, seg);
        active = seg;
    }

    @Override
    protected void afterCommit() throws IOException {
        deleteDeadHeads(true);
    }

    /** Deletes the segments below the first live sequence (never the active one). */
    private void deleteDeadHeads(boolean forceFirst) throws IOException {
        boolean deleted = false;
        while (segments.size() > 1) {
            Segment head = segments.firstEntry().getValue();
            if (head == active || head.nextSeq > table.first()) {
                break;
            }
            if (!deleted && forceFirst) {
                active.writer.force(false);
            }
            deleted = true;
            segments.pollFirstEntry();
            config.readChannels().invalidate(head.path);
            Files.deleteIfExists(head.indexPath);
            Files.deleteIfExists(head.path);
        }
        if (deleted) {
            fsyncDirectory();
        }
    }

    @Override
    protected void rollback(IOException cause) {
        pending.clear();
        try {
            if (active != null && active.writer != null && active.writer.isOpen()) {
                active.writer.truncate(active.size);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "store {0}: truncate after a failed write: {1}", name, e);
        }
        try {
            RecoveryReport r = recover();
            LOG.log(System.Logger.Level.WARNING, "store {0}: write failed ({1}); reloaded from disk, {2} bytes truncated",
                    name, cause, String.valueOf(r.bytesTruncated()));
        } catch (IOException | RuntimeException e) {
            failure = cause;
            LOG.log(System.Logger.Level.ERROR, "store {0}: write failed ({1}) and reload failed ({2}); refusing writes "
                    + "until reopened", name, cause, e);
        }
    }

    // ---- durability

    @Override
    protected void awaitDurable(long ticket) throws IOException {
        if (config.sync() instanceof SyncPolicy.Always) {
            groupCommit.forceUpTo(ticket);
        }
    }

    private void syncOnTimer() {
        long target;
        lock.readLock().lock();
        try {
            if (closed || failure != null) {
                return;
            }
            target = written;
        } finally {
            lock.readLock().unlock();
        }
        try {
            groupCommit.forceUpTo(target);
        } catch (IOException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "store {0}: interval force failed; refusing writes: {1}", name, e);
        }
    }

    // ---- reads

    @Override
    protected Object locate(long seq) {
        return new Location(segments.floorEntry(seq).getValue(), (int) table.loc(seq), table.size(seq));
    }

    /** The last block read for a sequential reader (a consumer replaying the stream). */
    private final ReadAhead readAhead = new ReadAhead();

    @Override
    protected StoredMessage fetch(long seq, Object handle) {
        Location l = (Location) handle;
        StoredMessage ahead = readAhead.fetch(seq, l.segment, l.position, l.size,
            () -> config.readChannels().acquire(l.segment.path, config.opener()));
        return ahead != null ? ahead : fetchExactly(seq, l);
    }

    private StoredMessage fetchExactly(long seq, Location l) {
        ByteBuffer buf = ByteBuffer.allocate(l.size);
        for (int attempt = 0; ; attempt++) {
            try {
                FileChannel ch = config.readChannels().acquire(l.segment.path, config.opener());
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, l.position + (long) buf.position()) >= 0) {
                    // positional reads until full or end of file
                }
                break;
            } catch (ClosedChannelException e) {
                if (attempt >= 3) {
                    throw new StoreException.IoFailure("store " + name + ": cannot read " + l.segment, e);
                }
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new StoreException.IoFailure("store " + name + ": cannot read " + l.segment, e);
            }
        }
        String bad = buf.hasRemaining() ? "short read" : Records.check(buf, 0, l.size);
        if (bad == null && Records.seqField(buf, 0) != seq) {
            bad = "sequence " + Records.seqField(buf, 0) + " where " + seq + " is expected";
        }
        if (bad == null) {
            return Records.decode(buf, 0);
        }
        lock.readLock().lock();
        try {
            if (closed || !table.live(seq) || segments.floorEntry(seq).getValue() != l.segment) {
                return null;
            }
        } finally {
            lock.readLock().unlock();
        }
        throw new StoreException.Corrupt("store " + name + ": record of sequence " + seq + " in " + l.segment + " at "
                + l.position + ": " + bad);
    }

    // ---- checkpoints

    /**
     * The store's files now, every write forced: each segment with its length, and each sealed one's index. See
     * {@link StoreImage}. Call from the store's writer.
     */
    public List<StoreImage.StoreFile> checkpoint() {
        lock.writeLock().lock();
        try {
            ensureWritable();
            flushPending();
            active.writer.force(false);
            List<StoreImage.StoreFile> files = new ArrayList<>();
            for (Segment seg : segments.values()) {
                files.add(new StoreImage.StoreFile(seg.path.getFileName().toString(), seg.size));
                if (seg != active && Files.exists(seg.indexPath)) {
                    files.add(new StoreImage.StoreFile(seg.indexPath.getFileName().toString(), Files.size(seg.indexPath)));
                }
            }
            return files;
        } catch (IOException e) {
            throw new StoreException.IoFailure("store " + name + ": checkpoint failed", e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- close

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (timer != null) {
                timer.cancel(false);
            }
            IOException error = null;
            try {
                if (active != null && active.writer != null && failure == null) {
                    active.writer.force(false);
                    active.forcedForGood = true;
                }
            } catch (IOException e) {
                error = e;
            }
            closeFiles();
            if (error != null) {
                throw new StoreException.IoFailure("store " + name + ": force on close failed", error);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void closeFiles() {
        closeSegmentChannels();
        try {
            dirLock.release();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "store {0}: release lock: {1}", name, e);
        }
        closeQuietly(lockChannel);
    }

    private void closeSegmentChannels() {
        for (Segment seg : segments.values()) {
            config.readChannels().invalidate(seg.path);
            closeQuietly(seg.writer);
            seg.writer = null;
        }
    }

    private void fsyncDirectory() {
        try (FileChannel dir = FileChannel.open(config.dir(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "store {0}: directory fsync not supported: {1}", name, e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to do for a channel that is being dropped
            }
        }
    }

    @Override
    public String toString() {
        return "FileStreamStore[" + name + "]";
    }
}
