package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file channel that runs out of disk: writes draw on a shared byte quota, and the write that exhausts it
 * writes what fits and then throws {@code IOException("No space left on device")}, as a full disk does.
 */
final class QuotaChannel extends FileChannel {

    /** Opens {@link QuotaChannel}s that share one quota. */
    static final class Disk implements ChannelOpener {
        final AtomicLong free;

        Disk(long free) {
            this.free = new AtomicLong(free);
        }

        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            return new QuotaChannel(FileChannel.open(path, options), free);
        }
    }

    private final FileChannel delegate;
    private final AtomicLong free;

    private QuotaChannel(FileChannel delegate, AtomicLong free) {
        this.delegate = delegate;
        this.free = free;
    }

    /** The bytes of {@code src} that fit, taken from the quota. */
    private int take(int wanted) {
        while (true) {
            long left = free.get();
            int granted = (int) Math.min(wanted, Math.max(0, left));
            if (free.compareAndSet(left, left - granted)) {
                return granted;
            }
        }
    }

    private interface Write {
        int to(ByteBuffer b) throws IOException;
    }

    private int write(ByteBuffer src, Write write) throws IOException {
        int wanted = src.remaining();
        int granted = take(wanted);
        if (granted == wanted) {
            return write.to(src);
        }
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + granted);
        int n = granted > 0 ? write.to(part) : 0;
        src.position(src.position() + n);
        throw new IOException("No space left on device");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, delegate::write);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return write(src, b -> delegate.write(b, position));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("not supported by the test channel");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
