package io.meshery.broker.cluster.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's Raft server (Apache Ratis): one per node, named by the node's server name, its log and metadata
 * under {@code <store_dir>/raft}, talking over {@link RaftTransport}. It serves one Raft group per replicated stream
 * (a "division" in Ratis's words); the node gives each group its state machine through {@code registry}.
 *
 * <p>Requests are submitted on the node where they arrive, straight to the local server (no Raft client): the
 * stream's leader submits what its clients publish.
 */
public final class RaftHost implements AutoCloseable {

    /** Elections: a follower that hears nothing from its leader for 1-2 s stands (Ratis's default is 150-300 ms,
     * too eager for a JVM that can pause; nats-server's is 4-9 s). */
    public static final TimeDuration ELECTION_MIN = TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS);
    public static final TimeDuration ELECTION_MAX = TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS);

    /**
     * A replica takes a snapshot after this many entries since its last one, and its log is then cut up to it (in
     * whole 16 MB segments); the system property {@value #SNAPSHOT_ENTRIES_PROPERTY}, read when the server
     * starts, changes it.
     */
    public static final long SNAPSHOT_ENTRIES = 4096;
    public static final String SNAPSHOT_ENTRIES_PROPERTY = "meshery.broker.raft.snapshot.entries";

    /** What the node batches into one log entry of published messages, encoded (a larger message goes alone). */
    public static final int ENTRY_BYTES = 1 << 20;
    /** Room for what an entry holds besides the messages (subjects, lengths) and for Ratis's own framing. */
    private static final int MARGIN = 64 << 10;

    /** The largest log entry with messages of at most {@code maxPayload} bytes. */
    public static long maxEntryBytes(long maxPayload) {
        return Math.max(ENTRY_BYTES, maxPayload) + MARGIN;
    }

    /**
     * The largest message between two nodes on the Raft transport, at least 4 MiB: an append carrying the largest
     * entry (Ratis sends a larger entry alone), or an API answer from a stream's leader holding the largest message
     * in base64 (a message get: 4/3 of it). Artery's large-message frames must hold it.
     */
    public static long maxFrameBytes(long maxPayload) {
        return Math.max(4L << 20, maxEntryBytes(maxPayload) * 3 / 2 + 2L * MARGIN);
    }

    private final RaftServer server;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    private RaftHost(RaftServer server) {
        this.server = server;
    }

    /**
     * Starts this node's Raft server; the groups found under {@code dir} are recovered (their state machines from
     * {@code registry}) and rejoin their peers.
     */
    public static RaftHost start(RaftTransport transport, String serverName, Path dir,
                                 StateMachine.Registry registry) throws IOException {
        return start(transport, serverName, dir, registry, 0);
    }

    /**
     * The same, for a node whose messages are at most {@code maxPayload} bytes: the appends, the log's write buffer
     * and (in {@link io.meshery.broker.cluster.PekkoClusterConfig}) Artery's frames are sized to carry the largest
     * entry; an entry larger than Ratis's append buffer would stop the group.
     */
    public static RaftHost start(RaftTransport transport, String serverName, Path dir,
                                 StateMachine.Registry registry, long maxPayload) throws IOException {
        Files.createDirectories(dir);
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, ArteryRpcType.INSTANCE);
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ELECTION_MIN);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ELECTION_MAX);
        // a new group (a stream just created, whose creator waits for its leader) elects one at once
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(750, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        // an append holds at least the largest entry; Artery's large-message frames hold such an append
        long entry = maxEntryBytes(maxPayload);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entry + MARGIN));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entry + 2 * MARGIN));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("16MB"));
        // entries kept in memory for followers that are behind: at most two segments and 32 MB per group, not
        // Ratis's six and 200 MB (the node runs with a small bounded heap)
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("32MB"));
        // no extra log entry (and forced write) per commit to record the commit index: a restarted node learns it
        // from its leader before it applies what its log holds
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // snapshots: the state machine's (ReplicaSnapshot in the node); the log is cut up to each, so a follower
        // behind the cut gets the snapshot's files from its leader, in chunks the cluster link carries
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        long snapshotEntries = Math.max(1, Long.getLong(SNAPSHOT_ENTRIES_PROPERTY, SNAPSHOT_ENTRIES));
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEntries);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, snapshotEntries));
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf("1MB"));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        Parameters params = new Parameters();
        params.put(ArteryRpcType.TRANSPORT, transport, RaftTransport.class);
        RaftServer server = RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(serverName))
            .setProperties(p)
            .setParameters(params)
            .setStateMachineRegistry(registry)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
        server.start();
        return new RaftHost(server);
    }

    /** The group of the replicated thing called {@code name} (a stream): the same on every node. */
    public static RaftGroupId groupId(String name) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("stream:" + name).getBytes(StandardCharsets.UTF_8)));
    }

    /** A node as a Raft peer: its server name, reached at its Pekko address. */
    public static RaftPeer peer(String serverName, String pekkoAddress) {
        return RaftPeer.newBuilder().setId(serverName).setAddress(pekkoAddress).build();
    }

    public RaftServer server() {
        return server;
    }

    public String serverName() {
        return server.getId().toString();
    }

    /** Starts serving {@code group} here (its state machine from the registry); its peers do the same. */
    public void addGroup(RaftGroup group) throws IOException {
        RaftClientReply r = server.groupManagement(
            GroupManagementRequest.newAdd(clientId, server.getId(), callIds.incrementAndGet(), group));
        if (!r.isSuccess()) {
            throw r.getException() != null ? r.getException() : new IOException("group not added");
        }
    }

    /** Stops serving the group and deletes its log. */
    public void removeGroup(RaftGroupId group) throws IOException {
        server.groupManagement(GroupManagementRequest.newRemove(clientId, server.getId(), callIds.incrementAndGet(),
            group, true, false));
    }

    /**
     * Appends {@code data} to the group's log, through this node: it must be the group's leader (the reply says
     * {@code NotLeaderException} otherwise). The reply comes once a majority holds it and it has been applied here.
     */
    public CompletableFuture<RaftClientReply> submit(RaftGroupId group, byte[] data) {
        RaftClientRequest req = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(server.getId())
            .setGroupId(group).setCallId(callIds.incrementAndGet())
            .setMessage(Message.valueOf(ByteString.copyFrom(data))).setType(RaftClientRequest.writeRequestType())
            .build();
        try {
            return server.submitClientRequestAsync(req);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Asks the group's leader (this node) to hand leadership to another member, or to {@code to} when given. */
    public RaftClientReply transferLeadership(RaftGroupId group, RaftPeerId to, long timeoutMs) throws IOException {
        return server.transferLeadership(new TransferLeadershipRequest(clientId, server.getId(), group,
            callIds.incrementAndGet(), to, timeoutMs));
    }

    /**
     * Closes the Raft server, waiting at most about ten seconds. Ratis 3.3's log close holds the log's write lock
     * while it joins the log's cache-eviction thread, which may itself be waiting for that lock (it is woken by
     * every cache miss, so a follower being caught up makes it likely): the close would wait forever. A closing
     * thread found joining like that is interrupted, which lets the close go on (the eviction thread then ends).
     */
    @Override
    public void close() throws IOException {
        java.util.concurrent.atomic.AtomicReference<IOException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                failure.set(e);
            }
        }, "raft-close-" + serverName());
        closer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (closer.isAlive() && System.nanoTime() < deadline) {
                closer.join(500);
                if (closer.isAlive()) {
                    interruptLogCloseJoins();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static void interruptLogCloseJoins() {
        for (java.util.Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = e.getValue();
            for (int i = 0; i < Math.min(stack.length, 8); i++) {
                if (stack[i].getClassName().equals("org.apache.ratis.util.AwaitToRun")
                    && stack[i].getMethodName().equals("close")) {
                    e.getKey().interrupt();
                    break;
                }
            }
        }
    }
}
