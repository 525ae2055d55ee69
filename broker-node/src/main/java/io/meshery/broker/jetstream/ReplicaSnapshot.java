package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.persistence.FileStreamStore;
import io.meshery.broker.persistence.StoreImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * A replica's Raft snapshot: the stream as it was once the log's entries up to {@code index} were applied, so that
 * Ratis can drop those entries from the log, a restarted replica starts from it (and applies only the entries
 * after), and a replica too far behind gets it from the leader (Ratis sends its files in chunks over the cluster
 * link) instead of entries the log no longer has.
 *
 * <p>It lives in the group's state machine directory of Ratis, {@code <store_dir>/raft/<group>/sm}:
 * <pre>
 * snapshot.json        term, index, the stream's configuration and creation time, the store's files and lengths
 * msgs/…               a hard link to each file of the store at the snapshot (its bytes beyond the length do not count)
 * consumers/<name>/…   a copy of each durable consumer's files
 * </pre>
 * Taking one costs a force of the store's active segment, a link per segment and a copy of the consumers' small
 * files: no message is copied. The store's files only grow until a whole segment is deleted, which the link
 * survives, so the snapshot stays whole while the stream goes on.
 */
final class ReplicaSnapshot {

    static final String MANIFEST = "snapshot.json";
    private static final String NEXT = ".next";
    private static final String OLD = ".old";

    /** What {@code snapshot.json} says. */
    record Manifest(long term, long index, JsonNode config, String created, List<StoreImage.StoreFile> files) {
    }

    private ReplicaSnapshot() {
    }

    /** The snapshot directory of the group {@code uuid} under the node's Raft directory. */
    static Path dir(Path raftDir, java.util.UUID group) {
        return raftDir.resolve(group.toString()).resolve("sm");
    }

    /**
     * The snapshot in {@code sm}, or null when there is none. A snapshot whose replacement was cut short by a crash is
     * completed first (the newer one when it was written whole, the older one otherwise).
     */
    static Manifest read(Path sm) throws IOException {
        Path next = sibling(sm, NEXT);
        Path old = sibling(sm, OLD);
        if (!Files.exists(sm.resolve(MANIFEST))) {
            if (Files.exists(next.resolve(MANIFEST))) {
                deleteTree(sm);
                Files.move(next, sm, StandardCopyOption.ATOMIC_MOVE);
            } else if (Files.exists(old.resolve(MANIFEST))) {
                deleteTree(sm);
                Files.move(old, sm, StandardCopyOption.ATOMIC_MOVE);
            } else {
                return null;
            }
        }
        deleteTree(next);
        deleteTree(old);
        JsonNode n = JetStream.JSON.readTree(sm.resolve(MANIFEST).toFile());
        List<StoreImage.StoreFile> files = new ArrayList<>();
        for (JsonNode f : n.path("files")) {
            files.add(new StoreImage.StoreFile(f.path("name").asText(), f.path("length").asLong()));
        }
        return new Manifest(n.path("term").asLong(), n.path("index").asLong(), n.path("config"),
            n.path("created").asText(), files);
    }

    /**
     * Takes a snapshot of the replica {@code s} (its store a file store) at {@code term}/{@code index}, everything up
     * to which is applied, into {@code sm}, replacing the one there; its files are in {@code streamDir}. Call on the
     * JetStream thread.
     */
    static Manifest take(Path sm, long term, long index, MessageStream s, Path streamDir) throws IOException {
        FileStreamStore store = (FileStreamStore) s.store();
        List<StoreImage.StoreFile> files = store.checkpoint();
        Path next = sibling(sm, NEXT);
        deleteTree(next);
        StoreImage.keep(streamDir.resolve("msgs"), files, next.resolve("msgs"));
        copyTree(streamDir.resolve("consumers"), next.resolve("consumers"));
        ObjectNode m = JetStream.JSON.createObjectNode();
        m.put("term", term);
        m.put("index", index);
        m.set("config", s.spec().toJson());
        m.put("created", s.created().toString());
        ArrayNode list = m.putArray("files");
        for (StoreImage.StoreFile f : files) {
            list.addObject().put("name", f.name()).put("length", f.length());
        }
        Path manifest = next.resolve(MANIFEST);
        Files.write(manifest, JetStream.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        force(manifest);
        force(next);
        Path old = sibling(sm, OLD);
        deleteTree(old);
        if (Files.exists(sm)) {
            Files.move(sm, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, sm, StandardCopyOption.ATOMIC_MOVE);
        force(sm.getParent());
        deleteTree(old);
        return new Manifest(term, index, m.get("config"), s.created().toString(), files);
    }

    /**
     * Brings the replica's files in {@code streamDir} (not open) back to the snapshot: the store's files and the
     * consumers' files as they were at its index.
     */
    static void restore(Manifest m, Path sm, Path streamDir) throws IOException {
        StoreImage.restore(streamDir.resolve("msgs"), sm.resolve("msgs"), m.files());
        Path consumers = streamDir.resolve("consumers");
        deleteTree(consumers);
        copyTree(sm.resolve("consumers"), consumers);
    }

    /** The snapshot as Ratis sends it to a follower: every file in {@code sm}, the store's ones at their lengths. */
    static SnapshotInfo info(Manifest m, Path sm) throws IOException {
        List<FileInfo> infos = new ArrayList<>();
        infos.add(new FileInfo(sm.resolve(MANIFEST), null));
        for (StoreImage.StoreFile f : m.files()) {
            infos.add(new Extent(sm.resolve("msgs").resolve(f.name()), f.length()));
        }
        Path consumers = sm.resolve("consumers");
        if (Files.isDirectory(consumers)) {
            try (Stream<Path> all = Files.walk(consumers)) {
                for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                    infos.add(new FileInfo(p, null));
                }
            }
        }
        return new FileListSnapshotInfo(infos, m.term(), m.index());
    }

    /** A file of which only the first {@code length} bytes belong to the snapshot. */
    private static final class Extent extends FileInfo {
        private final long length;

        Extent(Path path, long length) {
            super(path, null);
            this.length = length;
        }

        @Override
        public long getFileSize() {
            return length;
        }
    }

    private static Path sibling(Path sm, String suffix) {
        return sm.resolveSibling(sm.getFileName() + suffix);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted().toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().endsWith(".tmp")) {
                    try {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        force(target);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // a consumer deleted meanwhile: its delete is in the log after the snapshot
                    }
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void force(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // a directory that cannot be forced on this file system: the rename is as durable as it allows
        }
    }
}
