package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.persistence.FileStoreConfig;
import io.meshery.broker.persistence.FileStreamStore;
import io.meshery.broker.persistence.MemoryStreamStore;
import io.meshery.broker.persistence.StreamStore;
import io.meshery.broker.persistence.SyncPolicy;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.SubjectShards;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JetStream on one node: the streams, their stores under {@code store_dir}, and the {@code $JS.API.>}
 * requests of the official clients (see {@link JetStreamApi}).
 *
 * <p>Layout: {@code <store_dir>/streams/<name>/stream.json} holds the configuration and creation time, the
 * store's files sit in {@code <store_dir>/streams/<name>/msgs/}. Streams are recovered from there at start.
 *
 * <p>Threads: every API request, every stream's storing and every PubAck runs on one JetStream thread, in the
 * order they arrive; publishers only copy messages into a stream's queue. Monitoring reads the streams map.
 */
public final class JetStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JetStream.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> API_SUBJECTS = List.of("$JS.API.INFO", "$JS.API.STREAM.>",
        "$JS.API.CONSUMER.>", "$JS.API.ACCOUNT.>", "$JS.API.META.>", "$JS.API.SERVER.>");

    private final JetStreamConfig config;
    private final SubjectShards shards;
    private final ActorSystem<?> system;
    private final Fanout fanout;
    private final ExecutorService thread;
    /** The thread {@link #thread} runs on; it alone uses {@link #fanout}. */
    private volatile Thread jetStreamThread;
    /** Something was published in the current task and is not flushed yet. */
    private boolean published;
    private static final List<Subscriber> NO_BLOCKERS = List.of();
    private final ScheduledExecutorService timer;
    private final Map<String, MessageStream> streams = new ConcurrentSkipListMap<>();
    private final JetStreamApi api;
    /** Replicated streams, when the node is in a cluster; null otherwise. */
    private volatile StreamReplication replication;
    final AtomicLong apiTotal = new AtomicLong();
    final AtomicLong apiErrors = new AtomicLong();

    public JetStream(JetStreamConfig config, SubjectShards shards, Fanout fanout, ActorSystem<?> system) {
        this.config = config;
        this.shards = shards;
        this.system = system;
        this.fanout = fanout;
        this.thread = Executors.newSingleThreadExecutor(r -> jetStreamThread = daemon(r, "jetstream"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jetstream-timer"));
        this.api = new JetStreamApi(this);
    }

    /**
     * Lets streams have replicas on the other nodes of {@code cluster}: call before {@link #start}. Each node is a
     * Raft peer named {@code serverName} (nats-server also needs a {@code server_name} for a JetStream cluster);
     * {@code maxPayload} is the node's {@code max_payload}, the largest message Raft must carry.
     */
    public void replicateIn(ClusterNode cluster, String serverName, long maxPayload) {
        replication = new StreamReplication(this, cluster, cluster.startRaftTransport(),
            serverName, maxPayload);
    }

    StreamReplication replication() {
        return replication;
    }

    /** Recovers the streams under {@code store_dir} and starts answering the API; returns once it does. */
    public void start() throws IOException {
        Files.createDirectories(streamsDir());
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(streamsDir(), Files::isDirectory)) {
            for (Path dir : dirs) {
                recover(dir);
            }
        }
        if (replication != null) {
            replication.start(); // the replicas recovered above rejoin their groups and apply their logs again
        }
        // The API's subjects, but not $JS.API.DIRECT.GET: a stream answers those itself when it allows direct
        // gets, and a request to one that does not gets no responders, as with nats-server.
        for (String subject : API_SUBJECTS) {
            subscribe(api, subject);
        }
        timer.scheduleWithFixedDelay(() -> execute(this::tick), 1, 1, TimeUnit.SECONDS);
        log.info("Starting JetStream: store_dir {}, sync {}, {} stream(s) recovered", config.storeDir(),
            config.syncDescription(), streams.size());
        warnIfTheHeapIsSmall();
    }

    /** Heap a store keeps per stored message (its sequence table: subject, time, size, location). */
    static final long HEAP_PER_MESSAGE = 32;

    /**
     * The stores keep a few dozen bytes of heap per stored message: a node with millions of messages needs more
     * than the launcher's default heap, and says so at start rather than failing later.
     */
    private void warnIfTheHeapIsSmall() {
        long messages = streams.values().stream().mapToLong(s -> s.store().state().msgs()).sum();
        long needed = messages * HEAP_PER_MESSAGE;
        long max = Runtime.getRuntime().maxMemory();
        if (needed > max / 4) {
            log.warn("JetStream: the {} stored messages take about {} MiB of the {} MiB heap; give the node more"
                + " heap (JAVA_OPTS=-Xmx..., or a higher memory limit for its container)", messages,
                needed >> 20, max >> 20);
        }
    }

    public JetStreamConfig config() {
        return config;
    }

    /** What monitoring shows of JetStream as a whole. */
    public record Stats(long memory, long storage, int streams, int consumers, long messages, long bytes,
                        long apiTotal, long apiErrors) {
    }

    public Stats stats() {
        long memory = 0;
        long storage = 0;
        long messages = 0;
        for (MessageStream s : streams.values()) {
            var st = s.store().state();
            messages += st.msgs();
            if (s.spec().isMemory()) {
                memory += st.bytes();
            } else {
                storage += st.bytes();
            }
        }
        int consumers = 0;
        for (MessageStream s : streams.values()) {
            consumers += s.consumers().size();
        }
        return new Stats(memory, storage, streams.size(), consumers, messages, memory + storage, apiTotal.get(),
            apiErrors.get());
    }

    /** Each stream as {@code /jsz?streams=1} shows it: name, created, the configuration when asked, state. */
    public List<ObjectNode> streamDetails(boolean withConfig) {
        List<ObjectNode> details = new java.util.ArrayList<>();
        for (MessageStream s : streams.values()) {
            ObjectNode d = JSON.createObjectNode();
            d.put("name", s.spec().name());
            d.put("created", JetStreamApi.goTime(s.created()));
            if (withConfig) {
                d.set("config", s.spec().toJson());
            }
            ObjectNode state = JetStreamApi.state(s.store().state());
            state.put("consumer_count", s.consumers().size());
            d.set("state", state);
            details.add(d);
        }
        return details;
    }

    Logger log() {
        return log;
    }

    Map<String, MessageStream> streams() {
        return streams;
    }

    JetStreamApi api() {
        return api;
    }

    /** {@code /jsz}'s {@code meta_cluster} when the node is in a cluster; null otherwise. */
    public ObjectNode metaCluster() {
        StreamReplication r = replication;
        return r == null ? null : r.metaCluster();
    }

    /** Replicated streams this node holds a replica of. */
    public int replicatedStreams() {
        StreamReplication r = replication;
        return r == null ? 0 : r.groups();
    }

    /** Whether JetStream serves requests (false once it has been closed). */
    public boolean isRunning() {
        return !thread.isShutdown();
    }

    /** Runs {@code task} on the JetStream thread. */
    void execute(Runnable task) {
        thread.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("JetStream task failed: {}", e.toString());
            } finally {
                flushPublished();
            }
        });
    }

    /**
     * Hands one message to the current interest in {@code to}. On the JetStream thread the deliveries of a whole
     * task (a batch's PubAcks, a pull request's messages) share one flush per receiver, at the task's end;
     * from any other thread the message goes through a task of its own.
     */
    private boolean publish(String to, PubArgs args, byte[] buf) {
        return publish(to, args, buf, false);
    }

    /** @param reply {@code to} is a request's reply subject, most likely used once: not cached for matching */
    private boolean publish(String to, PubArgs args, byte[] buf, boolean reply) {
        if (Thread.currentThread() != jetStreamThread) {
            execute(() -> publish(to, args, buf, reply));
            return true;
        }
        published = true;
        return reply ? fanout.publishReply(to, args, buf, 0, buf.length)
            : fanout.publish(null, true, false, to, args, buf, 0, buf.length);
    }

    /** The end of a task on the JetStream thread: every receiver it published to is flushed once. */
    private void flushPublished() {
        if (published) {
            published = false;
            fanout.endBatch(null, null, NO_BLOCKERS);
        }
    }

    /** Runs {@code task} on the JetStream thread after {@code delayNanos}. */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return timer.schedule(() -> execute(task), delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Publishes a message to whoever listens on {@code to}, written with {@code subject} and {@code reply} (a
     * stored message to a consumer's request inbox, with its ack subject); false when nobody listens.
     */
    boolean deliver(String to, String subject, String reply, byte[] headers, byte[] payload) {
        int hdr = headers == null ? 0 : headers.length;
        byte[] all = joined(headers, payload);
        return publish(to, PubArgs.of(subject, reply, hdr > 0 ? hdr : -1, all.length), all);
    }

    /**
     * {@link #deliver(String, String, String, byte[], byte[])} with the message's arguments already made
     * ({@code args}, valid only during the call): on the JetStream thread only.
     */
    boolean deliver(String to, PubArgs args, byte[] headers, byte[] payload) {
        if (Thread.currentThread() != jetStreamThread) { // args are reused: not to be kept for later
            return deliver(to, args.subject(), args.reply(), headers, payload);
        }
        return publish(to, args, joined(headers, payload));
    }

    /** A message's header block and payload as one body. */
    private static byte[] joined(byte[] headers, byte[] payload) {
        if (headers == null || headers.length == 0) {
            return payload;
        }
        byte[] all = new byte[headers.length + payload.length];
        System.arraycopy(headers, 0, all, 0, headers.length);
        System.arraycopy(payload, 0, all, headers.length, payload.length);
        return all;
    }

    /** Whether anyone subscribes to {@code subject} now. */
    boolean hasInterest(String subject) {
        var m = shards.index().match(subject);
        return m.plain().length > 0 || m.queues().length > 0;
    }

    /** Publishes {@code body} as JSON to {@code subject} (a reply inbox). */
    void reply(String subject, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        reply(subject, bytes);
    }

    /** Publishes {@code json}, already serialized, to {@code subject}. */
    void reply(String subject, byte[] json) {
        publish(subject, PubArgs.of(subject, null, -1, json.length), json, true);
    }

    // ---- streams --------------------------------------------------------------------------------------

    /** Creates a stream, stores its configuration and starts capturing its subjects. */
    MessageStream create(StreamSpec spec) throws IOException {
        Path dir = streamsDir().resolve(spec.name());
        Instant created = Instant.now();
        StreamStore store = openStore(spec, dir, false);
        MessageStream s = new MessageStream(this, spec, store, created);
        if (!spec.isMemory()) {
            writeMeta(dir, spec, created, null);
        }
        streams.put(spec.name(), s);
        capture(s);
        return s;
    }

    /**
     * Creates this node's replica of a replicated stream (asked by the node that received the create request):
     * an empty store, the configuration with the group's members on disk, no capture until this node leads.
     * Returns the group to join, or null when the replica exists already.
     */
    StreamReplication.Group createReplica(StreamSpec spec, Instant created, List<RaftPeer> peers) throws IOException {
        MessageStream existing = streams.get(spec.name());
        if (existing != null) {
            if (existing.replica() == null || !existing.spec().equals(spec)) {
                throw ApiError.streamNameInUse();
            }
            return existing.replica().division() == null ? existing.replica() : null;
        }
        Path dir = streamsDir().resolve(spec.name());
        StreamReplication.Group g = replication.register(spec.name(), peers);
        emptyStore(dir);
        MessageStream s = new MessageStream(this, spec, openStore(spec, dir, true), created, g);
        g.messages = s;
        writeMeta(dir, spec, created, peers);
        streams.put(spec.name(), s);
        return g;
    }

    /**
     * A replica's leadership changed: only the leader captures what is published on the stream's subjects and
     * runs its consumers (their configuration and state come from the group's log, applied on every replica).
     */
    void leadership(MessageStream s, boolean leader) {
        if (leader && s.captures().isEmpty()) {
            capture(s);
            try {
                recoverConsumers(s, consumersDir(s));
            } catch (IOException e) {
                log.error("JetStream stream '{}': consumers not started: {}", s.spec().name(), e.toString());
            }
            log.info("JetStream stream '{}': this node leads its replicas now ({} consumer(s))", s.spec().name(),
                s.consumers().size());
        } else if (!leader && !s.captures().isEmpty()) {
            for (Subscription sub : s.captures()) {
                unsubscribe(sub);
            }
            s.captures().clear();
            for (Consumer c : List.copyOf(s.consumers().values())) {
                c.leadershipLost();
                c.subscriptions().forEach(this::unsubscribe);
            }
            s.consumers().clear();
        }
    }

    void update(MessageStream s, StreamSpec next) throws IOException {
        updateLocal(s, next);
    }

    /** Applies a new configuration to this node's copy of {@code s} (a replica's, once its group committed it). */
    void updateLocal(MessageStream s, StreamSpec next) throws IOException {
        boolean capturing = !s.captures().isEmpty();
        for (Subscription sub : s.captures()) {
            unsubscribe(sub);
        }
        s.captures().clear();
        s.update(next);
        if (!next.isMemory()) {
            writeMeta(streamsDir().resolve(next.name()), next, s.created(),
                s.replica() == null ? null : s.replica().peers);
        }
        if (capturing || s.replica() == null) {
            capture(s);
        }
    }

    void delete(MessageStream s) throws IOException {
        for (Subscription sub : s.captures()) {
            unsubscribe(sub);
        }
        for (Consumer c : List.copyOf(s.consumers().values())) {
            c.stop(true);
            c.subscriptions().forEach(this::unsubscribe);
        }
        s.consumers().clear();
        streams.remove(s.spec().name());
        s.store().close();
        Path dir = streamsDir().resolve(s.spec().name());
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private void recover(Path dir) {
        Path meta = dir.resolve("stream.json");
        if (!Files.exists(meta)) {
            return;
        }
        try {
            JsonNode node = JSON.readTree(meta.toFile());
            StreamSpec spec = StreamSpec.from(node.path("config"));
            Instant created = Instant.parse(node.path("created").asText());
            if (node.has("peers")) {
                recoverReplica(dir, node, spec, created);
                return;
            }
            StreamStore store = openStore(spec, dir, false);
            MessageStream s = new MessageStream(this, spec, store, created);
            streams.put(spec.name(), s);
            capture(s);
            recoverConsumers(s, dir.resolve("consumers"));
            log.info("Restored stream '{}': {} messages, {} consumer(s)", spec.name(), store.state().msgs(),
                s.consumers().size());
        } catch (IOException | RuntimeException e) {
            log.error("JetStream stream in {} could not be recovered: {}", dir, e.getMessage());
        }
    }

    /**
     * A replica found on disk: its files are brought back to its last Raft snapshot (or emptied when it has none),
     * and its group's log entries after that are applied again (the log is the replica's durable copy).
     */
    private void recoverReplica(Path dir, JsonNode node, StreamSpec spec, Instant created) throws IOException {
        if (replication == null) {
            log.error("JetStream stream '{}' has replicas but this node is not in a cluster: not served",
                spec.name());
            return;
        }
        List<RaftPeer> peers = StreamReplication.peers(node.path("peers"));
        ReplicaSnapshot.Manifest snapshot = spec.isMemory() ? null : ReplicaSnapshot.read(snapshotDir(spec.name()));
        if (snapshot != null) {
            ReplicaSnapshot.restore(snapshot, snapshotDir(spec.name()), dir);
            spec = StreamSpec.from(snapshot.config());
        } else {
            emptyStore(dir);
        }
        StreamReplication.Group g = replication.register(spec.name(), peers);
        MessageStream s = new MessageStream(this, spec, openStore(spec, dir, true), created, g);
        g.messages = s;
        streams.put(spec.name(), s);
        log.info("Restored replicated stream '{}': {} replicas, {}", spec.name(), peers.size(), snapshot == null
            ? "its log is applied again" : "from its snapshot at log index " + snapshot.index()
            + " and the log after it");
    }

    /**
     * A follower was too far behind its leader's log: the leader's snapshot, which Ratis received into {@code sm},
     * replaces the replica (its messages, consumers and configuration). Runs on the JetStream thread.
     */
    void installSnapshot(StreamReplication.Group g, ReplicaSnapshot.Manifest m, Path sm) throws IOException {
        MessageStream old = g.messages;
        if (old != null) {
            leadership(old, false);
            old.store().close();
        }
        StreamSpec spec = StreamSpec.from(m.config());
        Instant created = Instant.parse(m.created());
        Path dir = streamsDir().resolve(spec.name());
        ReplicaSnapshot.restore(m, sm, dir);
        writeMeta(dir, spec, created, g.peers);
        MessageStream s = new MessageStream(this, spec, openStore(spec, dir, true), created, g);
        g.messages = s;
        streams.put(spec.name(), s);
        log.info("JetStream stream '{}': installed its leader's snapshot at log index {} ({} messages)", spec.name(),
            m.index(), s.store().state().msgs());
    }

    /** Where the Raft snapshot of the replicated stream {@code name} lives on this node. */
    Path snapshotDir(String name) {
        return ReplicaSnapshot.dir(raftDir(), RaftHost.groupId(name).getUuid());
    }

    Path raftDir() {
        return config.storeDir().resolve("raft");
    }

    /** Removes a replica's stored messages: its group's log fills the store again. */
    private static void emptyStore(Path dir) throws IOException {
        ReplicaSnapshot.deleteTree(dir.resolve("msgs"));
    }

    /**
     * @param replica the store of a replicated stream: not forced before acks (the Raft log, from which it is filled,
     *                is forced on a majority of the replicas)
     */
    private StreamStore openStore(StreamSpec spec, Path dir, boolean replica) throws IOException {
        if (spec.isMemory()) {
            return new MemoryStreamStore(spec.name(), spec.limits());
        }
        Path msgs = dir.resolve("msgs");
        Files.createDirectories(msgs);
        return FileStreamStore.open(FileStoreConfig.of(msgs)
            .withSync(replica ? SyncPolicy.interval(Duration.ofMinutes(2)) : config.sync()), spec.limits());
    }

    private static void writeMeta(Path dir, StreamSpec spec, Instant created, List<RaftPeer> peers)
            throws IOException {
        Files.createDirectories(dir);
        ObjectNode meta = JSON.createObjectNode();
        meta.set("config", spec.toJson());
        meta.put("created", created.toString());
        if (peers != null) {
            meta.set("peers", StreamReplication.peersJson(peers));
        }
        Path tmp = dir.resolve("stream.json.tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        Files.move(tmp, dir.resolve("stream.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Once a second: expired messages go, and ephemeral consumers left inactive. */
    private void tick() {
        long now = nowNanos();
        long mono = System.nanoTime();
        for (MessageStream s : streams.values()) {
            if (s.spec().maxAgeNanos() > 0) {
                s.store().expire(now);
            }
            for (Consumer c : List.copyOf(s.consumers().values())) {
                if (c.inactive(mono)) {
                    log.debug("Deleting inactive ephemeral consumer '{}' of '{}'", c.name(), s.spec().name());
                    deleteConsumer(c);
                }
            }
        }
    }

    // ---- consumers ------------------------------------------------------------------------------------

    /** Creates a consumer on {@code s}: its first delivery by its policy, its files when durable, its acks. */
    Consumer addConsumer(MessageStream s, ConsumerSpec spec) throws IOException {
        Instant created = Instant.now();
        ConsumerFiles files = persistent(s, spec) ? new ConsumerFiles(this, consumersDir(s).resolve(spec.name))
            : null;
        Consumer c = new Consumer(this, s, spec, created, files);
        if (files != null) {
            files.writeConfig(spec, created);
            replicateConsumer(s, spec, created);
        }
        c.start();
        if (files != null) {
            c.save();
        }
        for (String subject : c.subjects()) {
            c.subscriptions().add(subscribe(c, subject));
        }
        s.consumers().put(spec.name, c);
        return c;
    }

    void updateConsumer(Consumer c, ConsumerSpec next) throws IOException {
        if (persistent(c.stream(), next)) {
            new ConsumerFiles(this, consumersDir(c.stream()).resolve(next.name)).writeConfig(next, c.created());
            replicateConsumer(c.stream(), next, c.created());
        }
        c.update(next);
    }

    /** A kept consumer of a replicated stream: its configuration goes to the other replicas too. */
    private void replicateConsumer(MessageStream s, ConsumerSpec spec, Instant created) {
        if (s.replica() != null) {
            s.replica().proposeQuietly(StreamReplication.encodeConsumer(spec, created));
        }
    }

    void deleteConsumer(Consumer c) {
        c.stop(true);
        c.subscriptions().forEach(this::unsubscribe);
        c.stream().consumers().remove(c.name());
        if (c.stream().replica() != null) {
            c.stream().replica().proposeQuietly(StreamReplication.encodeConsumerDelete(c.name()));
        }
        if (!c.stream().spec().isMemory()) {
            try {
                new ConsumerFiles(this, consumersDir(c.stream()).resolve(c.name())).delete();
            } catch (IOException e) {
                log.warn("JetStream consumer files of '{}' not removed: {}", c.name(), e.toString());
            }
        }
    }

    /**
     * Whether the consumer keeps files (and, on a replicated stream, goes through the log to every replica): a
     * durable one; on a replicated stream with interest or work-queue retention, an ephemeral one too (its acks
     * decide what the stream keeps, so it must outlive a change of leader), as nats-server replicates those. An
     * ephemeral on a limits stream lives on the stream's leader only (nats-server keeps it on one server too).
     */
    private static boolean persistent(MessageStream s, ConsumerSpec spec) {
        boolean kept = spec.isDurable()
            || (s.replica() != null && !s.spec().retention().equals("limits"));
        return kept && !spec.memStorage && !s.spec().isMemory();
    }

    Path consumersDir(MessageStream s) {
        return streamsDir().resolve(s.spec().name()).resolve("consumers");
    }

    private void recoverConsumers(MessageStream s, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path d : dirs) {
                ConsumerFiles files = new ConsumerFiles(this, d);
                try {
                    JsonNode meta = files.readConfig();
                    if (meta == null) {
                        continue;
                    }
                    ConsumerSpec spec = ConsumerSpec.from(meta.path("config"), d.getFileName().toString());
                    Consumer c = new Consumer(this, s, spec, Instant.parse(meta.path("created").asText()), files);
                    ConsumerFiles.State state = files.readState();
                    if (state == null) {
                        c.start();
                    } else {
                        c.restore(state);
                    }
                    for (String subject : c.subjects()) {
                        c.subscriptions().add(subscribe(c, subject));
                    }
                    s.consumers().put(spec.name, c);
                    execute(c::deliverAvailable); // a push consumer goes on delivering
                } catch (IOException | RuntimeException e) {
                    log.error("JetStream consumer in {} could not be recovered: {}", d, e.toString());
                }
            }
        }
    }

    // ---- subscriptions --------------------------------------------------------------------------------

    /** Puts {@code owner}'s interest in {@code subject} into the index, and returns once publishers see it. */
    Subscription subscribe(Subscriber owner, String subject) {
        Subscription sub = new Subscription(owner, subject, null, "js");
        try {
            AskPattern.<SubjectShard.Command, SubjectShard.Subscribed>ask(shards.shardFor(subject),
                replyTo -> new SubjectShard.Subscribe(sub, replyTo), SUBSCRIBE_TIMEOUT, system.scheduler())
                .toCompletableFuture().get(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("subscription to " + subject + " not confirmed", e);
        }
        return sub;
    }

    /** The stream's subjects, and its direct-get subjects when it allows direct gets. */
    private void capture(MessageStream s) {
        for (String subject : s.spec().subjects()) {
            s.captures().add(subscribe(s, subject));
        }
        if (s.spec().allowDirect()) {
            DirectGet direct = new DirectGet(this, s);
            s.captures().add(subscribe(direct, "$JS.API.DIRECT.GET." + s.spec().name()));
            s.captures().add(subscribe(direct, "$JS.API.DIRECT.GET." + s.spec().name() + ".>"));
        }
    }

    /** Publishes a message with a header block to {@code subject}. */
    void replyWithHeaders(String subject, byte[] headers, byte[] payload) {
        byte[] all = joined(headers, payload);
        publish(subject, PubArgs.of(subject, null, headers.length, all.length), all);
    }

    void unsubscribe(Subscription sub) {
        sub.close();
        shards.shardFor(sub.subject()).tell(new SubjectShard.Unsubscribe(sub));
    }

    private Path streamsDir() {
        return config.storeDir().resolve("streams");
    }

    /** Bytes stored in file streams and in memory streams. */
    long[] usage() {
        long file = 0;
        long memory = 0;
        for (MessageStream s : streams.values()) {
            long b = s.store().state().bytes();
            if (s.spec().isMemory()) {
                memory += b;
            } else {
                file += b;
            }
        }
        return new long[] {memory, file};
    }

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }


    @Override
    public void close() {
        StreamReplication r = replication;
        if (r != null) {
            r.handOver();
            r.close();
        }
        execute(() -> streams.values().forEach(s -> s.consumers().values().forEach(c -> c.stop(false))));
        timer.shutdownNow();
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (MessageStream s : List.copyOf(streams.values())) {
            s.store().close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
