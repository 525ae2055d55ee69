package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A durable consumer's files under {@code <store_dir>/streams/<stream>/consumers/<name>/}:
 * {@code consumer.json} (configuration and creation time) and {@code state.json} (delivered sequences, ack
 * floor, the unacknowledged deliveries and the redelivery counts). Each is written whole to a temporary file
 * and renamed over the old one, so a crash leaves the previous or the new version, never a torn one.
 *
 * <p>The state is written at most every {@link #FLUSH_DELAY_NANOS} while it changes, and when the node stops;
 * a crash can lose the acks of that last interval, which are then redelivered (at least once, as with
 * nats-server, whose consumer store also writes its state behind the acks).
 *
 * <p>Threads: the JetStream thread.
 */
final class ConsumerFiles {

    static final long FLUSH_DELAY_NANOS = Duration.ofMillis(100).toNanos();
    private static final String CONFIG = "consumer.json";
    private static final String STATE = "state.json";

    /** What {@code state.json} holds; {@code pending} rows are {stream seq, consumer seq}, {@code redelivered} rows {stream seq, count}. */
    record State(long consumerSeq, long streamSeq, long floorConsumer, long floorStream, List<long[]> pending,
                 List<long[]> redelivered) {
    }

    private final Path dir;
    private final JetStream js;

    ConsumerFiles(JetStream js, Path dir) {
        this.js = js;
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    void writeConfig(ConsumerSpec spec, Instant created) throws IOException {
        Files.createDirectories(dir);
        ObjectNode n = JetStream.JSON.createObjectNode();
        n.set("config", spec.toJson());
        n.put("created", created.toString());
        write(CONFIG, n);
    }

    void writeState(AckState acks) {
        writeState(stateJson(acks));
    }

    /** What {@code state.json} holds for {@code acks}. */
    static ObjectNode stateJson(AckState acks) {
        ObjectNode n = JetStream.JSON.createObjectNode();
        ObjectNode delivered = n.putObject("delivered");
        delivered.put("consumer_seq", acks.deliveredConsumer);
        delivered.put("stream_seq", acks.deliveredStream);
        ObjectNode floor = n.putObject("ack_floor");
        floor.put("consumer_seq", acks.floorConsumer);
        floor.put("stream_seq", acks.floorStream);
        ArrayNode pending = n.putArray("pending");
        for (Map.Entry<Long, AckState.Pending> e : acks.pending.entrySet()) {
            pending.addArray().add(e.getKey()).add(e.getValue().dseq);
        }
        ArrayNode redelivered = n.putArray("redelivered");
        for (Map.Entry<Long, Long> e : acks.redelivered.entrySet()) {
            redelivered.addArray().add(e.getKey()).add(e.getValue());
        }
        return n;
    }

    /** Writes a state made by {@link #stateJson} (here, or on the leader of a replicated stream). */
    void writeState(ObjectNode n) {
        try {
            write(STATE, n);
        } catch (IOException e) {
            js.log().warn("JetStream consumer state in {} not written: {}", dir, e.toString());
        }
    }

    /** The configuration node and creation time, or null when there is no {@code consumer.json}. */
    JsonNode readConfig() throws IOException {
        Path p = dir.resolve(CONFIG);
        return Files.exists(p) ? JetStream.JSON.readTree(p.toFile()) : null;
    }

    /** The state written last, or null when none was. */
    State readState() throws IOException {
        Path p = dir.resolve(STATE);
        if (!Files.exists(p)) {
            return null;
        }
        JsonNode n = JetStream.JSON.readTree(p.toFile());
        return new State(n.path("delivered").path("consumer_seq").asLong(0),
            n.path("delivered").path("stream_seq").asLong(0), n.path("ack_floor").path("consumer_seq").asLong(0),
            n.path("ack_floor").path("stream_seq").asLong(0), pairs(n.path("pending")), pairs(n.path("redelivered")));
    }

    void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<long[]> pairs(JsonNode array) {
        List<long[]> out = new ArrayList<>();
        for (JsonNode row : array) {
            out.add(new long[] {row.path(0).asLong(), row.path(1).asLong()});
        }
        return out;
    }

    private void write(String file, ObjectNode n) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file + ".tmp");
        Files.write(tmp, JetStream.JSON.writeValueAsBytes(n));
        Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
