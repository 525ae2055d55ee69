package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A point-in-time image of a {@link FileStreamStore} without a copy of its messages: the files of a
 * {@link FileStreamStore#checkpoint} kept by hard links, with their lengths then. The store's files only grow until
 * a whole segment is deleted, which a link survives, so the image stays whole while the store goes on; restoring it
 * makes a closed store's directory what it was at the checkpoint. A replica of a replicated stream keeps one as its
 * Raft snapshot.
 */
public final class StoreImage {

    private static final System.Logger LOG = System.getLogger(StoreImage.class.getName());

    /** A file of the store at a checkpoint: its name in the store's directory and its bytes that count. */
    public record StoreFile(String name, long length) {
    }

    private StoreImage() {
    }

    /**
     * Keeps the files of a {@link FileStreamStore#checkpoint} of the store in {@code dir}: a hard link to each in {@code to} (a
     * copy of its recorded bytes where the file system cannot link), so that deleting a segment later leaves them.
     */
    public static void keep(Path dir, List<StoreFile> files, Path to) throws IOException {
        Files.createDirectories(to);
        for (StoreFile f : files) {
            copyOrLink(dir.resolve(f.name()), to.resolve(f.name()), f.length());
        }
    }

    private static void copyOrLink(Path source, Path target, long length) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long done = 0;
                while (done < length) {
                    done += in.transferTo(done, length - done, out);
                }
                out.force(true);
            }
        }
    }

    /**
     * Makes {@code dir}, the directory of a store that is not open, hold exactly {@code files} as they are in
     * {@code from}: each linked (copied where the file system cannot link) and cut to its recorded length; any
     * other file of the store is removed. Then {@link FileStreamStore#open} finds the store as it was at the checkpoint.
     *
     * @throws IOException a file is missing or shorter than recorded, or the directory cannot be written
     */
    public static void restore(Path dir, Path from, List<StoreFile> files) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().equals("LOCK")) {
                    Files.delete(p);
                }
            }
        }
        for (StoreFile f : files) {
            Path source = from.resolve(f.name());
            Path target = dir.resolve(f.name());
            if (Files.size(source) < f.length()) {
                throw new IOException(source + " holds " + Files.size(source) + " bytes, fewer than the "
                    + f.length() + " recorded");
            }
            copyOrLink(source, target, f.length());
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                if (ch.size() > f.length()) {
                    ch.truncate(f.length());
                }
                ch.force(true);
            }
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "store {0}: directory fsync not supported: {1}", dir, e);
        }
    }
}
