package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A bounded LRU of read-only channels on segment files, shared by every store given the same instance (give
 * one to all the stores of a process to bound the process; by default each store has its own). Opening a
 * channel beyond the capacity closes the least recently used one; a reader that was using it gets a
 * {@link java.nio.channels.ClosedChannelException} and the store retries with a fresh channel.
 *
 * <p>Thread-safe: one monitor guards the map; files are opened outside it.
 */
public final class ReadChannelCache {

    /** The default capacity: 64 read handles. */
    public static final int DEFAULT_CAPACITY = 64;

    private final int capacity;
    private final LinkedHashMap<Path, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true);

    public ReadChannelCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Channels open now. */
    public synchronized int size() {
        return channels.size();
    }

    FileChannel acquire(Path path, ChannelOpener opener) throws IOException {
        synchronized (this) {
            FileChannel ch = channels.get(path);
            if (ch != null && ch.isOpen()) {
                return ch;
            }
        }
        FileChannel opened = opener.open(path, Set.of(StandardOpenOption.READ));
        synchronized (this) {
            FileChannel existing = channels.get(path);
            if (existing != null && existing.isOpen()) {
                closeQuietly(opened);
                return existing;
            }
            channels.put(path, opened);
            Iterator<Map.Entry<Path, FileChannel>> it = channels.entrySet().iterator();
            while (channels.size() > capacity && it.hasNext()) {
                Map.Entry<Path, FileChannel> eldest = it.next();
                if (eldest.getValue() != opened) {
                    closeQuietly(eldest.getValue());
                    it.remove();
                }
            }
            return opened;
        }
    }

    /** Closes and forgets the channel of a file that is deleted or truncated. */
    synchronized void invalidate(Path path) {
        FileChannel ch = channels.remove(path);
        if (ch != null) {
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // a read-only channel has nothing to lose
        }
    }
}
