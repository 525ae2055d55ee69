package io.meshery.broker.persistence;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link FileStreamStore} lays out and forces its files.
 *
 * @param dir          the stream's directory, owned by the store alone
 * @param segmentBytes the size at which the active segment is sealed and a new one started (a record is
 *                     never split: a segment may exceed it by one record)
 * @param sync         when records are forced to disk
 * @param readChannels the LRU of read handles; share one instance to bound a whole process
 * @param opener       opens every channel (the seam for fault-injection tests)
 */
public record FileStoreConfig(Path dir, long segmentBytes, SyncPolicy sync, ReadChannelCache readChannels,
                              ChannelOpener opener) {

    /** 8 MiB, as the notes' design (nats-server's blocks are 8 MiB by default too). */
    public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
    /** Segments stay addressable by int positions. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    public FileStoreConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(readChannels, "readChannels");
        Objects.requireNonNull(opener, "opener");
        if (segmentBytes < 1024 || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be in [1 KiB, 1 GiB]: " + segmentBytes);
        }
    }

    /** 8 MiB segments, {@link SyncPolicy#ALWAYS}, a private cache of 64 read handles. */
    public static FileStoreConfig of(Path dir) {
        return new FileStoreConfig(dir, DEFAULT_SEGMENT_BYTES, SyncPolicy.ALWAYS,
                new ReadChannelCache(ReadChannelCache.DEFAULT_CAPACITY), ChannelOpener.DEFAULT);
    }

    public FileStoreConfig withSegmentBytes(long v) {
        return new FileStoreConfig(dir, v, sync, readChannels, opener);
    }

    public FileStoreConfig withSync(SyncPolicy v) {
        return new FileStoreConfig(dir, segmentBytes, v, readChannels, opener);
    }

    public FileStoreConfig withReadChannels(ReadChannelCache v) {
        return new FileStoreConfig(dir, segmentBytes, sync, v, opener);
    }

    public FileStoreConfig withOpener(ChannelOpener v) {
        return new FileStoreConfig(dir, segmentBytes, sync, readChannels, v);
    }
}
