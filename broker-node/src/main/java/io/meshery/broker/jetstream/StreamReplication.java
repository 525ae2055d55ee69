package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.cluster.RouteLink;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.cluster.raft.RaftTransport;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;

/**
 * Replicated streams ({@code num_replicas} 2-5) on the nodes of a cluster: each is a Raft group of Apache Ratis
 * (see {@link RaftHost}) whose members are the nodes holding a replica. The group's leader captures the stream's
 * subjects (the other nodes forward what their clients publish to it, as to any subscription), proposes what it
 * captured as one log entry per batch, and every replica stores an entry once a majority holds it, in log order,
 * through the same checks and store as a single node's stream; the leader then sends the PubAcks. So a PubAck
 * means a majority of the replicas has the message in its forced Raft log.
 *
 * <p>Purge, message delete and configuration changes go through the log too, from whichever node the API
 * request reached (forwarded to the leader); creation and deletion are asked of each member in turn.
 *
 * <p>A replica's store is a copy of what its Raft log says. Every few thousand entries each replica takes a
 * snapshot ({@link ReplicaSnapshot}) and its log is cut up to it: a node that restarts brings its files back to its
 * snapshot and applies the entries after it; a replica behind the leader's cut gets the leader's snapshot.
 */
final class StreamReplication implements StateMachine.Registry {

    private static final int CREATE = RaftTransport.FIRST_NODE_KIND;
    private static final int DELETE = RaftTransport.FIRST_NODE_KIND + 1;
    private static final int PROPOSE = RaftTransport.FIRST_NODE_KIND + 2;
    private static final int API = RaftTransport.FIRST_NODE_KIND + 3;
    private static final int STEP_DOWN = RaftTransport.FIRST_NODE_KIND + 4;
    /** How long a leader waits for another member to take over (step down, or this node stopping). */
    private static final long TRANSFER_MS = 3000;
    private static final byte OP_PUBLISH = 1;
    private static final byte OP_PURGE = 2;
    private static final byte OP_DELETE = 3;
    private static final byte OP_UPDATE = 4;
    private static final byte OP_CONSUMER = 5;
    private static final byte OP_CONSUMER_STATE = 6;
    private static final byte OP_CONSUMER_DELETE = 7;
    /**
     * A log entry holds at most this much of what was published, encoded (or one message alone when it is larger):
     * so an entry is never larger than {@link RaftHost#maxEntryBytes} for the node's {@code max_payload}.
     */
    private static final int ENTRY_BYTES = RaftHost.ENTRY_BYTES;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CREATE_ATTEMPT_TIMEOUT = Duration.ofSeconds(3);
    private static final int CREATE_ATTEMPTS = 3;
    private static final long LEADER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final JetStream js;
    private final ClusterNode cluster;
    private final RaftTransport transport;
    private final String serverName;
    /** The node's {@code max_payload}: the largest message, so the largest log entry, Raft must carry. */
    private final long maxPayload;
    private volatile RaftHost host;
    private final Map<RaftGroupId, Group> groups = new ConcurrentHashMap<>();

    StreamReplication(JetStream js, ClusterNode cluster, RaftTransport transport, String serverName,
                      long maxPayload) {
        this.js = js;
        this.maxPayload = maxPayload;
        this.cluster = cluster;
        this.transport = transport;
        this.serverName = serverName;
        transport.handle(CREATE, this::createHere);
        transport.handle(DELETE, this::deleteHere);
        transport.handle(PROPOSE, this::proposeHere);
        transport.handle(API, this::apiHere);
        transport.handle(STEP_DOWN, this::stepDownHere);
    }

    /** Starts this node's Raft server: the groups of the replicas recovered from disk rejoin their peers. */
    void start() throws IOException {
        host = RaftHost.start(transport, serverName, js.raftDir(), this, maxPayload);
    }

    /**
     * Before this node stops: each group it leads gets another leader first, so the stream stays writable with
     * no election timeout to wait (a rolling restart). Waits at most a few seconds in all.
     */
    void handOver() {
        RaftHost h = host;
        if (h == null) {
            return;
        }
        List<CompletableFuture<Void>> transfers = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.isLeader() && g.peers.size() > 1) {
                transfers.add(CompletableFuture.runAsync(() -> {
                    try {
                        h.transferLeadership(g.id, g.bestFollower(), TRANSFER_MS);
                    } catch (IOException e) {
                        js.log().debug("JetStream stream '{}': leadership not handed over: {}", g.stream, e.toString());
                    }
                }));
            }
        }
        try {
            CompletableFuture.allOf(transfers.toArray(new CompletableFuture[0]))
                .get(TRANSFER_MS + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            js.log().debug("JetStream leadership hand-over incomplete: {}", e.toString());
        }
    }

    void close() {
        transport.stopServing(); // the peers see this node as gone while its Raft server closes
        RaftHost h = host;
        if (h != null) {
            try {
                h.close();
            } catch (IOException e) {
                js.log().warn("JetStream Raft server did not close cleanly: {}", e.toString());
            }
        }
        transport.close();
    }

    /**
     * {@code /jsz}'s {@code meta_cluster}. There is no meta group: stream placement is decided by the node that
     * receives the create; the leader shown is the cluster's leader in Pekko's sense.
     */
    ObjectNode metaCluster() {
        ObjectNode m = JetStream.JSON.createObjectNode();
        m.put("name", cluster.name());
        String leader = cluster.leaderServerName(serverName);
        if (leader != null) {
            m.put("leader", leader);
            m.put("peer", peerHash(leader));
        }
        m.put("cluster_size", cluster.routes().size() + 1);
        return m;
    }

    /** How many replicated streams this node holds a replica of ({@code /jsz} {@code ha_assets}). */
    int groups() {
        return groups.size();
    }

    /** nats-server's short hash of a server name (the {@code peer} fields): 8 base-62 digits of its SHA-256. */
    static String peerHash(String name) {
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        try {
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                .digest(name.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(8);
            for (int i = 0; i < 8; i++) {
                b.append(digits.charAt((sha[i] & 0xff) % 62));
            }
            return b.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The nodes with JetStream this node knows of, itself first: (server name, Pekko address). */
    List<RaftPeer> candidates() {
        List<RaftPeer> peers = new ArrayList<>();
        peers.add(RaftHost.peer(serverName, cluster.selfAddress()));
        List<RouteLink> routes = new ArrayList<>(cluster.routes());
        routes.sort(Comparator.comparing(l -> l.peer().serverName()));
        for (RouteLink l : routes) {
            if (l.peer().jetStream()) {
                peers.add(RaftHost.peer(l.peer().serverName(), l.peer().address()));
            }
        }
        return peers;
    }

    // ---- the state machines (StateMachine.Registry) ---------------------------------------------------

    /** A replica known to this node: registered before its group is added or recovered. */
    Group register(String stream, List<RaftPeer> peers) {
        Group g = new Group(stream, peers);
        groups.put(g.id, g);
        return g;
    }

    @Override
    public StateMachine apply(RaftGroupId id) {
        Group g = groups.get(id);
        if (g == null) {
            throw new IllegalStateException("no replicated stream for Raft group " + id);
        }
        return g.machine;
    }

    /** One replicated stream's group on this node. */
    final class Group {
        final String stream;
        final RaftGroupId id;
        final List<RaftPeer> peers;
        final Machine machine = new Machine(this);
        /** The stream, once created here; set on the JetStream thread before the group starts. */
        volatile MessageStream messages;

        Group(String stream, List<RaftPeer> peers) {
            this.stream = stream;
            this.id = RaftHost.groupId(stream);
            this.peers = List.copyOf(peers);
        }

        RaftGroup raftGroup() {
            return RaftGroup.valueOf(id, peers);
        }

        /** Whether this node leads the group now. */
        boolean isLeader() {
            RaftServer.Division d = division();
            return d != null && d.getInfo().isLeader();
        }

        RaftServer.Division division() {
            RaftHost h = host;
            if (h == null) {
                return null;
            }
            try {
                return h.server().getDivision(id);
            } catch (IOException e) {
                return null;
            }
        }

        /** The leader's server name, or null while there is none. */
        String leader() {
            RaftServer.Division d = division();
            RaftPeerId leader = d == null ? null : d.getInfo().getLeaderId();
            return leader == null ? null : leader.toString();
        }

        /**
         * The leader's side of publishing: what is queued goes to the group as log entries of at most
         * {@link #ENTRY_BYTES}; the queue's bytes are released once each entry is committed (so publishers wait
         * while the group is slow, as they wait for a slow disk).
         */
        void propose(MessageStream s, ConcurrentLinkedQueue<MessageStream.Incoming> queue, AtomicLong queued) {
            List<MessageStream.Incoming> batch = new ArrayList<>();
            int bytes = 0;
            MessageStream.Incoming m;
            int encoded = 0;
            while ((m = queue.poll()) != null) {
                int next = encodedSize(m);
                if (!batch.isEmpty() && encoded + next > ENTRY_BYTES) {
                    submitPublished(s, batch, bytes, queued);
                    batch = new ArrayList<>();
                    bytes = 0;
                    encoded = 0;
                }
                batch.add(m);
                bytes += m.size();
                encoded += next;
            }
            if (!batch.isEmpty()) {
                submitPublished(s, batch, bytes, queued);
            }
        }

        private void submitPublished(MessageStream s, List<MessageStream.Incoming> batch, int bytes,
                                     AtomicLong queued) {
            byte[] entry = encodePublished(batch);
            RaftHost h = host;
            CompletableFuture<RaftClientReply> f = h == null
                ? CompletableFuture.failedFuture(new IOException("Raft not started"))
                : h.submit(id, entry);
            f.whenComplete((reply, error) -> {
                queued.addAndGet(-bytes);
                js.execute(s::wakeWaiters);
                if (error != null || !reply.isSuccess()) {
                    // not stored: the publishers get no PubAck, time out and publish again (Nats-Msg-Id
                    // keeps a retried message single)
                    js.log().debug("JetStream stream '{}': {} message(s) not committed: {}", stream, batch.size(),
                        error != null ? error.toString() : String.valueOf(reply.getException()));
                }
            });
        }

        /** On the leader: appends {@code entry} to the log without waiting (a consumer's state, behind its acks). */
        void proposeQuietly(byte[] entry) {
            RaftHost h = host;
            if (h == null || !isLeader()) {
                return;
            }
            h.submit(id, entry).whenComplete((r, e) -> {
                if (e != null || !r.isSuccess()) {
                    js.log().debug("JetStream stream '{}': consumer entry not committed: {}", stream,
                        e != null ? e.toString() : String.valueOf(r.getException()));
                }
            });
        }

        /**
         * Proposes a change (purge, delete, update) through the leader, wherever it is; the future has what
         * applying it answered on the leader.
         */
        CompletableFuture<byte[]> proposeChange(byte[] entry) {
            RaftHost h = host;
            if (h == null) {
                return CompletableFuture.failedFuture(ApiError.of(503, 10008, "JetStream system temporarily unavailable"));
            }
            if (isLeader()) {
                return h.submit(id, entry).thenApply(StreamReplication::result);
            }
            RaftPeer leader = leaderPeer();
            if (leader == null) {
                return CompletableFuture.failedFuture(ApiError.of(503, 10008, "JetStream system temporarily unavailable"));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (DataOutputStream d = new DataOutputStream(out)) {
                d.writeUTF(stream);
                d.write(entry);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return transport.call(leader.getAddress(), PROPOSE, out.toByteArray(), CALL_TIMEOUT);
        }

        /**
         * An API request ({@code op} after {@code $JS.API.}, and its body) answered by the group's leader, where
         * the stream's consumers live and its state is the newest: the answer's JSON.
         */
        CompletableFuture<byte[]> forward(String op, byte[] body) {
            RaftPeer leader = leaderPeer();
            if (leader == null) {
                return CompletableFuture.failedFuture(ApiError.of(503, 10008, "JetStream system temporarily unavailable"));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + op.length() + 8);
            try (DataOutputStream d = new DataOutputStream(out)) {
                d.writeUTF(op);
                d.write(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return transport.call(leader.getAddress(), API, out.toByteArray(), CALL_TIMEOUT);
        }

        /**
         * A follower that answers and has the most of the log (it can take over at once), chosen at random among those
         * that have as much (as nats-server picks a new leader among its current peers), or null when none is known.
         */
        RaftPeerId bestFollower() {
            RaftServer.Division d = division();
            if (d == null || !d.getInfo().isLeader()) {
                return null;
            }
            long[] match = d.getInfo().getFollowerMatchIndices();
            List<ServerRpcProto> list = d.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            List<RaftPeerId> best = new ArrayList<>();
            long bestIndex = -1;
            long heardWithin = RaftHost.ELECTION_MIN.toLong(TimeUnit.MILLISECONDS);
            for (int i = 0; i < list.size() && i < match.length; i++) {
                if (list.get(i).getLastRpcElapsedTimeMs() > heardWithin) {
                    continue; // not answering: it could not take over
                }
                if (match[i] > bestIndex) {
                    best.clear();
                    bestIndex = match[i];
                }
                if (match[i] == bestIndex) {
                    best.add(RaftPeerId.valueOf(list.get(i).getId().getId()));
                }
            }
            return best.isEmpty() ? null
                : best.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(best.size()));
        }

        private RaftPeer leaderPeer() {
            String leader = leader();
            return leader == null ? null : peers.stream().filter(p -> p.getId().toString().equals(leader))
                .findFirst().orElse(null);
        }

        /** The {@code cluster} block of stream info, as far as this node knows. */
        void clusterInfo(ObjectNode info) {
            info.put("name", cluster.name());
            String leader = leader();
            if (leader != null) {
                info.put("leader", leader);
            }
            RaftServer.Division d = division();
            Map<String, long[]> followers = new java.util.HashMap<>(); // name -> {last rpc ms, match index}
            long last = 0;
            if (d != null && d.getInfo().isLeader()) {
                RoleInfoProto role = d.getInfo().getRoleInfoProto();
                long[] match = d.getInfo().getFollowerMatchIndices();
                List<ServerRpcProto> list = role.getLeaderInfo().getFollowerInfoList();
                for (int i = 0; i < list.size(); i++) {
                    followers.put(list.get(i).getId().getId().toStringUtf8(),
                        new long[] {list.get(i).getLastRpcElapsedTimeMs(), i < match.length ? match[i] : -1});
                }
                last = d.getRaftLog().getLastEntryTermIndex() == null ? 0
                    : d.getRaftLog().getLastEntryTermIndex().getIndex();
            }
            ArrayNode replicas = info.putArray("replicas");
            for (RaftPeer p : peers) {
                String name = p.getId().toString();
                if (name.equals(leader)) {
                    continue;
                }
                ObjectNode r = replicas.addObject();
                r.put("name", name);
                r.put("peer", peerHash(name));
                long[] f = followers.get(name);
                if (f != null) {
                    long lag = f[1] < 0 ? 0 : Math.max(0, last - f[1]);
                    boolean current = f[0] < RaftHost.ELECTION_MIN.toLong(TimeUnit.MILLISECONDS) && lag == 0;
                    r.put("current", current);
                    r.put("active", TimeUnit.MILLISECONDS.toNanos(f[0]));
                    if (lag > 0) {
                        r.put("lag", lag);
                    }
                    if (f[0] > RaftHost.ELECTION_MAX.toLong(TimeUnit.MILLISECONDS)) {
                        r.put("offline", true);
                    }
                } else if (name.equals(serverName)) {
                    r.put("current", d != null && leader != null);
                    r.put("active", 0);
                } else {
                    r.put("current", false);
                    r.put("active", 0);
                }
            }
        }
    }

    /** A replica's state machine: applies the committed entries to the stream on the JetStream thread, in order. */
    final class Machine extends BaseStateMachine {
        private final Group group;
        /** The group's state machine directory, where its snapshot lives ({@link ReplicaSnapshot}). */
        private volatile Path snapshotDir;
        private volatile ReplicaSnapshot.Manifest snapshot;
        /** The snapshot as Ratis reads it (often: its log appenders ask before each send). */
        private volatile SnapshotInfo snapshotInfo;
        private final StateMachineStorage storage = new StateMachineStorage() {
            @Override
            public void init(RaftStorage raftStorage) {
                snapshotDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
            }

            @Override
            public SnapshotInfo getLatestSnapshot() {
                return snapshotInfo;
            }

            @Override
            public void format() {
            }

            @Override
            public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
                // one snapshot at a time: taking one replaces the last
            }
        };

        Machine(Group group) {
            this.group = group;
        }

        @Override
        public StateMachineStorage getStateMachineStorage() {
            return storage;
        }

        /** Starts from the snapshot, if there is one: the node restored the replica's files to it before. */
        @Override
        public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
            super.initialize(server, groupId, raftStorage);
            getLifeCycle().transition(LifeCycle.State.STARTING);
            storage.init(raftStorage);
            ReplicaSnapshot.Manifest m = ReplicaSnapshot.read(snapshotDir);
            if (m != null) {
                useSnapshot(m);
                setLastAppliedTermIndex(TermIndex.valueOf(m.term(), m.index()));
            }
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }

        /** Before Ratis installs a snapshot from the leader (then {@link #reinitialize}). */
        @Override
        public void pause() {
            getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING);
            getLifeCycle().compareAndTransition(LifeCycle.State.PAUSING, LifeCycle.State.PAUSED);
        }

        private void useSnapshot(ReplicaSnapshot.Manifest m) throws IOException {
            snapshotInfo = ReplicaSnapshot.info(m, snapshotDir);
            snapshot = m;
        }

        /**
         * Ratis asks for a snapshot every {@link RaftHost#SNAPSHOT_ENTRIES} entries (by default), once those are applied; the
         * log is cut up to the index returned. A memory stream has none (its log keeps every entry).
         */
        @Override
        public long takeSnapshot() throws IOException {
            MessageStream current = group.messages;
            if (current == null || current.spec().isMemory()) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            Path dir = snapshotDir;
            ReplicaSnapshot.Manifest taken = onJetStreamThread(() -> {
                MessageStream s = group.messages;
                TermIndex applied = getLastAppliedTermIndex();
                ReplicaSnapshot.Manifest last = snapshot;
                if (s == null || applied == null || applied.getIndex() <= 0
                    || (last != null && last.index() >= applied.getIndex())) {
                    return last;
                }
                try {
                    return ReplicaSnapshot.take(dir, applied.getTerm(), applied.getIndex(), s, js.consumersDir(s).getParent());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (taken == null) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            if (taken != snapshot) {
                useSnapshot(taken);
                js.log().debug("JetStream stream '{}': snapshot at log index {}", group.stream, taken.index());
            }
            return taken.index();
        }

        /**
         * Ratis installed the leader's snapshot in the state machine directory (this replica was behind the leader's
         * log): the replica's files are replaced by it, and the entries after it follow.
         */
        @Override
        public void reinitialize() throws IOException {
            getLifeCycle().compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING);
            try {
                installFromLeader();
            } finally {
                getLifeCycle().compareAndTransition(LifeCycle.State.STARTING, LifeCycle.State.RUNNING);
            }
        }

        private void installFromLeader() throws IOException {
            ReplicaSnapshot.Manifest m = ReplicaSnapshot.read(snapshotDir);
            ReplicaSnapshot.Manifest last = snapshot;
            if (m == null || (last != null && m.index() == last.index() && m.term() == last.term())) {
                return;
            }
            Path dir = snapshotDir;
            onJetStreamThread(() -> {
                try {
                    js.installSnapshot(group, m, dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
            useSnapshot(m);
            setLastAppliedTermIndex(TermIndex.valueOf(m.term(), m.index()));
        }

        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var entry = trx.getLogEntry();
            byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
            long term = entry.getTerm();
            long index = entry.getIndex();
            CompletableFuture<Message> done = new CompletableFuture<>();
            js.execute(() -> {
                try {
                    MessageStream s = group.messages;
                    byte[] result = s == null ? new byte[0] : apply(s, data, group.isLeader());
                    updateLastAppliedTermIndex(term, index);
                    done.complete(Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString
                        .copyFrom(result)));
                } catch (RuntimeException | IOException e) {
                    updateLastAppliedTermIndex(term, index);
                    js.log().warn("JetStream stream '{}': entry {} not applied: {}", group.stream, index, e.toString());
                    done.complete(Message.valueOf("error: " + e.getMessage()));
                }
            });
            return done;
        }

        /**
         * Entries of Ratis's own (configuration, commit information) count as applied in their turn: after the
         * entries before them, which are applied on the JetStream thread.
         */
        @Override
        public void notifyTermIndexUpdated(long term, long index) {
            js.execute(() -> updateLastAppliedTermIndex(term, index));
        }

        /** Another node leads now (or none): this one stops capturing, if it did. */
        @Override
        public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId leader) {
            if (leader != null && leader.equals(member.getPeerId())) {
                return; // leading, but not ready to take proposals before its first entry commits: notifyLeaderReady
            }
            leadership(false);
        }

        /** This replica's Raft log cannot be written (a full disk): the others go on without it. */
        @Override
        public void notifyLogFailed(Throwable cause, org.apache.ratis.proto.RaftProtos.LogEntryProto failed) {
            js.log().error("JetStream stream '{}': this node's Raft log failed ({}); its replica here stops until the"
                + " node restarts, the other replicas go on", group.stream, String.valueOf(cause.getMessage()));
        }

        /** This node leads and has committed an entry of its term: it captures what is published from now on. */
        @Override
        public void notifyLeaderReady() {
            leadership(true);
        }

        private void leadership(boolean leader) {
            js.execute(() -> {
                MessageStream s = group.messages;
                if (s != null) {
                    js.leadership(s, leader);
                }
            });
        }
    }

    // ---- entries ------------------------------------------------------------------------------------------

    /** At least the bytes {@link #encodePublished} writes for {@code m} (its strings at 3 bytes a character). */
    static int encodedSize(MessageStream.Incoming m) {
        return m.size() + 3 * (m.subject().length() + (m.reply() == null ? 0 : m.reply().length())) + 32;
    }

    private static byte[] encodePublished(List<MessageStream.Incoming> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + batch.size() * 64);
        try (DataOutputStream d = new DataOutputStream(out)) {
            d.writeByte(OP_PUBLISH);
            d.writeInt(batch.size());
            for (MessageStream.Incoming m : batch) {
                d.writeUTF(m.subject());
                d.writeUTF(m.reply() == null ? "" : m.reply());
                writeBytes(d, m.headers());
                writeBytes(d, m.payload());
                d.writeLong(m.timestamp());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] encodePurge(JsonNode request) {
        return op(OP_PURGE, request.toString().getBytes(StandardCharsets.UTF_8));
    }

    static byte[] encodeDelete(long seq) {
        return op(OP_DELETE, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] encodeConsumer(ConsumerSpec spec, java.time.Instant created) {
        ObjectNode n = JetStream.JSON.createObjectNode();
        n.put("name", spec.name);
        n.set("config", spec.toJson());
        n.put("created", created.toString());
        return op(OP_CONSUMER, n.toString().getBytes(StandardCharsets.UTF_8));
    }

    static byte[] encodeConsumerState(String consumer, ObjectNode state) {
        ObjectNode n = JetStream.JSON.createObjectNode();
        n.put("name", consumer);
        n.set("state", state);
        return op(OP_CONSUMER_STATE, n.toString().getBytes(StandardCharsets.UTF_8));
    }

    static byte[] encodeConsumerDelete(String consumer) {
        return op(OP_CONSUMER_DELETE, consumer.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] encodeUpdate(StreamSpec spec) {
        return op(OP_UPDATE, spec.toJson().toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] op(byte op, byte[] body) {
        byte[] entry = new byte[1 + body.length];
        entry[0] = op;
        System.arraycopy(body, 0, entry, 1, body.length);
        return entry;
    }

    /** Applies one committed entry to the replica {@code s}; returns what the proposer is told. */
    private byte[] apply(MessageStream s, byte[] data, boolean leader) throws IOException {
        byte op = data[0];
        String body = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        switch (op) {
            case OP_PUBLISH -> {
                s.applyPublished(decodePublished(data), leader);
                return new byte[0];
            }
            case OP_PURGE -> {
                long purged = s.store().purge(JetStreamApi.purgeRequest(JetStream.JSON.readTree(body)));
                return Long.toString(purged).getBytes(StandardCharsets.UTF_8);
            }
            case OP_DELETE -> {
                boolean deleted = s.store().delete(Long.parseLong(body));
                return (deleted ? "true" : "false").getBytes(StandardCharsets.UTF_8);
            }
            case OP_UPDATE -> {
                js.updateLocal(s, StreamSpec.from(JetStream.JSON.readTree(body)));
                return new byte[0];
            }
            case OP_CONSUMER, OP_CONSUMER_STATE, OP_CONSUMER_DELETE -> {
                // the node running the consumers (the leader, capturing) has its own files written already
                if (s.captures().isEmpty()) {
                    applyConsumer(s, op, body);
                }
                return new byte[0];
            }
            default -> throw new IOException("unknown entry type " + op);
        }
    }

    /** A follower keeps its copy of a durable consumer's files, for when it leads. */
    private void applyConsumer(MessageStream s, byte op, String body) throws IOException {
        if (op == OP_CONSUMER_DELETE) {
            new ConsumerFiles(js, js.consumersDir(s).resolve(body)).delete();
            return;
        }
        JsonNode n = JetStream.JSON.readTree(body);
        ConsumerFiles files = new ConsumerFiles(js, js.consumersDir(s).resolve(n.path("name").asText()));
        if (op == OP_CONSUMER) {
            files.writeConfig(ConsumerSpec.from(n.path("config"), n.path("name").asText()),
                java.time.Instant.parse(n.path("created").asText()));
        } else {
            files.writeState((ObjectNode) n.path("state"));
        }
    }

    private static List<MessageStream.Incoming> decodePublished(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data, 1, data.length - 1));
        int n = in.readInt();
        List<MessageStream.Incoming> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String subject = in.readUTF();
            String reply = in.readUTF();
            byte[] headers = readBytes(in);
            byte[] payload = readBytes(in);
            long ts = in.readLong();
            list.add(MessageStream.Incoming.of(subject, reply.isEmpty() ? null : reply, headers,
                payload == null ? new byte[0] : payload, ts));
        }
        return list;
    }

    private static void writeBytes(DataOutputStream d, byte[] b) throws IOException {
        if (b == null) {
            d.writeInt(-1);
        } else {
            d.writeInt(b.length);
            d.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static byte[] result(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException() != null ? reply.getException()
                : new IOException("not committed"));
        }
        return reply.getMessage().getContent().toByteArray();
    }

    // ---- creating and deleting on every member ---------------------------------------------------------

    /**
     * Creates the replicated stream {@code spec} on {@code peers} (this node among them): each creates its replica
     * and joins the group; the future completes once the group has a leader.
     */
    CompletableFuture<Void> createEverywhere(StreamSpec spec, java.time.Instant created, List<RaftPeer> peers) {
        ObjectNode req = JetStream.JSON.createObjectNode();
        req.set("config", spec.toJson());
        req.put("created", created.toString());
        req.set("peers", peersJson(peers));
        byte[] body = req.toString().getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (RaftPeer p : peers) {
            calls.add(createOn(p, body, CREATE_ATTEMPTS));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture[0]))
            .thenCompose(v -> awaitServing(spec));
    }

    /**
     * Asks {@code peer} to create its replica, again after a short wait without an answer (a member's creation is
     * idempotent: the same stream again is answered as done), so that one lost call does not fail the create.
     */
    private CompletableFuture<byte[]> createOn(RaftPeer peer, byte[] body, int attempts) {
        return transport.call(peer.getAddress(), CREATE, body, CREATE_ATTEMPT_TIMEOUT).handle((r, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(r);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (attempts <= 1 || !(cause instanceof java.util.concurrent.TimeoutException)) {
                return CompletableFuture.<byte[]>failedFuture(cause);
            }
            js.log().debug("JetStream: no answer from {} to a create within {}; asking again", peer.getId(),
                CREATE_ATTEMPT_TIMEOUT);
            return createOn(peer, body, attempts - 1);
        }).thenCompose(f -> f);
    }

    /**
     * Completes once the group has a leader and this node sees it capture the stream's subjects (so that a
     * client publishing right after the create gets its PubAck), or fails after a while.
     */
    CompletableFuture<Void> awaitServing(StreamSpec spec) {
        RaftGroupId id = RaftHost.groupId(spec.name());
        String probe = spec.subjects().isEmpty() ? spec.name() : spec.subjects().get(0).replace("*", "_").replace(">", "_");
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + LEADER_WAIT_NANOS;
            while (System.nanoTime() < deadline) {
                Group g = groups.get(id);
                if (g != null && g.leader() != null && js.hasInterest(probe)) {
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            throw ApiError.of(503, 10008, "JetStream system temporarily unavailable");
        });
    }

    /** Deletes the replicated stream on each member of its group. */
    CompletableFuture<Void> deleteEverywhere(Group g) {
        byte[] body = g.stream.getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (RaftPeer p : g.peers) {
            calls.add(transport.call(p.getAddress(), DELETE, body, CALL_TIMEOUT).exceptionally(e -> {
                js.log().warn("JetStream stream '{}': replica on {} not deleted: {}", g.stream, p.getId(), e.toString());
                return null;
            }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture[0]));
    }

    /** A member is asked to hold a replica: it creates the stream here and joins its group. */
    private byte[] createHere(byte[] body) throws IOException {
        JsonNode req = JetStream.JSON.readTree(body);
        StreamSpec spec = StreamSpec.from(req.path("config"));
        java.time.Instant created = java.time.Instant.parse(req.path("created").asText());
        List<RaftPeer> peers = peers(req.path("peers"));
        Group g = onJetStreamThread(() -> {
            try {
                return js.createReplica(spec, created, peers);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (g != null) {
            try {
                host.addGroup(g.raftGroup());
            } catch (org.apache.ratis.protocol.exceptions.AlreadyExistsException e) {
                // the same create asked again while the first was joining the group: done either way
            }
        }
        return new byte[0];
    }

    private byte[] deleteHere(byte[] body) throws IOException {
        String name = new String(body, StandardCharsets.UTF_8);
        RaftGroupId id = RaftHost.groupId(name);
        Group g = groups.remove(id);
        if (g != null) {
            host.removeGroup(id);
        }
        onJetStreamThread(() -> {
            MessageStream s = js.streams().get(name);
            if (s != null) {
                try {
                    js.delete(s);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return null;
        });
        return new byte[0];
    }

    /** Asks the group's leader to step down: another member is elected (STREAM.LEADER.STEPDOWN). */
    CompletableFuture<byte[]> stepDown(Group g) {
        if (g.isLeader()) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return stepDownHere(g.stream.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        RaftPeer leader = g.leaderPeer();
        if (leader == null) {
            return CompletableFuture.failedFuture(ApiError.of(503, 10008, "JetStream system temporarily unavailable"));
        }
        return transport.call(leader.getAddress(), STEP_DOWN, g.stream.getBytes(StandardCharsets.UTF_8),
            Duration.ofMillis(TRANSFER_MS + 2000));
    }

    private byte[] stepDownHere(byte[] body) throws IOException {
        String name = new String(body, StandardCharsets.UTF_8);
        Group g = groups.get(RaftHost.groupId(name));
        RaftClientReply r = host.transferLeadership(RaftHost.groupId(name), g == null ? null : g.bestFollower(),
            TRANSFER_MS);
        if (!r.isSuccess()) {
            throw new IOException("leadership not transferred: " + r.getException());
        }
        return new byte[0];
    }

    /** The leader answers an API request another node received ({@link Group#forward}). */
    private byte[] apiHere(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        String op = in.readUTF();
        byte[] request = in.readAllBytes();
        CompletableFuture<ObjectNode> answer = onJetStreamThread(() -> js.api().respond(op, request, true));
        try {
            return answer.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).toString()
                .getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IOException("no answer: " + e.getMessage(), e);
        }
    }

    /** The leader is asked to propose a change another node received. */
    private byte[] proposeHere(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        String name = in.readUTF();
        byte[] entry = in.readAllBytes();
        RaftHost h = host;
        try {
            return result(h.submit(RaftHost.groupId(name), entry).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            throw new IOException("not committed: " + e.getMessage(), e);
        }
    }

    private <T> T onJetStreamThread(Supplier<T> task) throws IOException {
        CompletableFuture<T> f = new CompletableFuture<>();
        js.execute(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
    }

    /** A group's members as {@code stream.json} and a create request hold them: {@code [{name, address}]}. */
    static ArrayNode peersJson(List<RaftPeer> peers) {
        ArrayNode list = JetStream.JSON.createArrayNode();
        for (RaftPeer p : peers) {
            list.addObject().put("name", p.getId().toString()).put("address", p.getAddress());
        }
        return list;
    }

    static List<RaftPeer> peers(JsonNode list) {
        List<RaftPeer> peers = new ArrayList<>();
        for (JsonNode p : list) {
            peers.add(RaftHost.peer(p.path("name").asText(), p.path("address").asText()));
        }
        return peers;
    }

    /** The group of a replicated stream this node holds, or null. */
    Group group(String stream) {
        return groups.get(RaftHost.groupId(stream));
    }
}
