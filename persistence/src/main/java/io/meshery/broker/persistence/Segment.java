package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One segment file, {@code <base as 20 digits>.seg}: the records of the messages from sequence {@code base}
 * on, contiguous, followed or interleaved by tombstones and floors (see {@link Records}), and, once sealed, its
 * index {@code <base>.idx} (see {@link SegmentIndexFile}). The active segment is the last one; only it is
 * written, through {@link #writer}; sealed segments are immutable until they are deleted whole.
 *
 * <p>Not thread-safe: the mutable fields are guarded by the store's lock; readers use only the immutable
 * {@link #path} (through the read-channel cache) and the location they found under the read lock.
 */
final class Segment {

    final long base;
    final Path path;
    final Path indexPath;
    /** Bytes of whole records written. */
    long size;
    /** The sequence the next message record in this segment would get: base + message records. */
    long nextSeq;
    /** The active segment's write channel; null once sealed or closed. */
    FileChannel writer;
    /** Set once the segment's bytes were forced and it can take no more writes. */
    volatile boolean forcedForGood;
    /** The active segment's records, for its index when it is sealed; null for sealed segments. */
    SegmentContents contents;

    Segment(Path dir, long base) {
        this.base = base;
        this.path = dir.resolve(name(base, ".seg"));
        this.indexPath = dir.resolve(name(base, ".idx"));
        this.nextSeq = base;
    }

    static String name(long base, String suffix) {
        String digits = Long.toString(base);
        return "0".repeat(Math.max(0, 20 - digits.length())) + digits + suffix;
    }

    /** The base encoded in a segment or index file name, or -1 if it is not one. */
    static long baseOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != 20 + suffix.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The bases of the segment files in {@code dir}, in order; leftover {@code .tmp} files and indexes without
     * their segment are deleted on the way.
     */
    static List<Long> list(Path storeDir) throws IOException {
        List<Long> bases = new ArrayList<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(storeDir)) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (Segment.baseOf(n, ".seg") >= 0) {
                    bases.add(Segment.baseOf(n, ".seg"));
                } else if (Segment.baseOf(n, ".idx") >= 0) {
                    indexes.add(p);
                }
            }
        }
        for (Path idx : indexes) {
            if (!bases.contains(Segment.baseOf(idx.getFileName().toString(), ".idx"))) {
                Files.deleteIfExists(idx);
            }
        }
        Collections.sort(bases);
        return bases;
    }


    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
