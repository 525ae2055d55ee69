package io.meshery.broker.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.config.NodeSettings;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.SubjectShards;
import io.meshery.broker.security.Security;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state one node shares among its connections: identity, limits, the subscription index and its
 * shards, the live connections and the counters that monitoring reports. Thread-safe.
 */
public final class Server {

    /** The nats-server version we report: the official clients enable what that version offers. */
    public static final String NATS_VERSION = "2.9.10";
    /** Our own version, for logs and {@code -v}. */
    public static final String VERSION = "0.1.0";
    /** The runtime, in the {@code go} field of INFO and {@code /varz}, as nats-server reports its Go version. */
    public static final String RUNTIME = "java" + System.getProperty("java.version");

    /** Closed connections kept for monitoring ({@code max_closed_clients} of nats-server, same default). */
    public static final int MAX_CLOSED_CLIENTS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final ServerSettings settings;
    private final String serverId;
    private final String serverName;
    private final SubjectShards shards;
    private final Instant start = Instant.now();
    private final AtomicLong cids = new AtomicLong();
    private final ConcurrentHashMap<Long, ClientConnection.Client> clients = new ConcurrentHashMap<>();
    private volatile int clientPort;
    private volatile boolean lameDuck;
    private final ClosedConnections closed = new ClosedConnections(MAX_CLOSED_CLIENTS);
    private volatile boolean shuttingDown;
    private volatile boolean jetStream;
    /** The cluster, or {@code null} for a node on its own. */
    private volatile ClusterNode cluster;
    /** This node's client address as the other nodes advertise it; empty with {@code no_advertise}. */
    private volatile String clientUrl = "";

    final LongAdder inMsgs = new LongAdder();
    final LongAdder inBytes = new LongAdder();
    final LongAdder outMsgs = new LongAdder();
    final LongAdder outBytes = new LongAdder();
    final LongAdder slowConsumers = new LongAdder();
    final LongAdder totalConnections = new LongAdder();
    /** How often a publisher was held back for a backlogged receiver (flow control). */
    final LongAdder publisherStalls = new LongAdder();
    private final BufferBudget budget = BufferBudget.fromHeap();
    private final int maxConnections;

    /**
     * Heap set aside per client connection when the heap bounds how many are accepted: an idle connection keeps
     * about 7.7 KiB live (docs/performance.md, "Memory"), so the connections at the limit hold about a third of
     * the heap, and the outbound buffers' budget ({@link BufferBudget#HEAP_SHARE}) fits beside them.
     */
    static final long HEAP_PER_CONNECTION = 24 * 1024;
    /** The least the heap bound lets in, however small the heap. */
    static final int MIN_HEAP_CONNECTIONS = 1024;

    public Server(ServerSettings settings, SubjectShards shards) {
        this.settings = settings;
        this.shards = shards;
        int configured = settings.limits().maxConnections();
        this.maxConnections = connectionLimit(configured, Runtime.getRuntime().maxMemory());
        if (maxConnections < configured && configured != NodeSettings.Limits.DEFAULTS.maxConnections()) {
            log.warn("max_connections {} lowered to {}: a heap of {} MiB holds about that many connections; give the"
                + " node more memory (-Xmx in JAVA_OPTS, or the container's memory limit)", configured, maxConnections,
                Runtime.getRuntime().maxMemory() >> 20);
        }
        this.serverId = newServerId();
        this.serverName = settings.listen().serverName() == null || settings.listen().serverName().isEmpty()
            ? serverId : settings.listen().serverName();
    }

    public ServerSettings settings() { return settings; }
    public String serverId() { return serverId; }
    public String serverName() { return serverName; }
    public SubjectShards shards() { return shards; }
    public SubjectIndex index() { return shards.index(); }

    /** A fan-out for one more publisher, counting its deliveries in the node's totals. */
    public Fanout newFanout() {
        return new Fanout(index(), outMsgs, outBytes);
    }
    public Instant start() { return start; }
    public long inMsgs() { return inMsgs.sum(); }
    public long inBytes() { return inBytes.sum(); }
    public long outMsgs() { return outMsgs.sum(); }
    public long outBytes() { return outBytes.sum(); }
    public long slowConsumers() { return slowConsumers.sum(); }
    public long totalConnections() { return totalConnections.sum(); }
    public long publisherStalls() { return publisherStalls.sum(); }
    /** The one budget of every connection's outbound bytes. */
    public BufferBudget budget() { return budget; }
    public int connectionCount() { return clients.size(); }
    public Collection<ClientConnection.Client> clients() { return clients.values(); }

    /** The client port as bound (the settings may have asked for any free port). */
    public int clientPort() {
        return clientPort;
    }

    void clientPortBound(int port) {
        this.clientPort = port;
    }

    long nextClientId() {
        return cids.incrementAndGet();
    }

    /**
     * How many client connections are accepted at once: {@code max_connections}, but no more than the heap holds
     * ({@link #HEAP_PER_CONNECTION} each, at least {@link #MIN_HEAP_CONNECTIONS}). Past it a client gets
     * {@code -ERR 'maximum connections exceeded'}, as past nats-server's limit, instead of the node running out of
     * heap (30,000 connections at once did that to the default 128 MiB).
     */
    static int connectionLimit(int configured, long maxHeapBytes) {
        long byHeap = Math.max(MIN_HEAP_CONNECTIONS, maxHeapBytes / HEAP_PER_CONNECTION);
        return (int) Math.min(configured, byHeap);
    }

    /** The connection limit in force: see {@link #connectionLimit}. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Registers a new client unless the node is full. */
    boolean register(ClientConnection.Client client) {
        if (clients.size() >= maxConnections) {
            return false;
        }
        clients.put(client.id(), client);
        totalConnections.increment();
        return true;
    }

    void unregister(ClientConnection.Client client) {
        clients.remove(client.id(), client);
    }

    /** Keeps what a connection looked like when it closed, for {@code /connz?state=closed}. */
    void remember(ConnectionInfo closedConnection) {
        closed.add(closedConnection);
    }

    /** The open connection with this id, or {@code null}. */
    public ClientConnection.Client client(long cid) {
        return clients.get(cid);
    }

    /** The closed connections kept, oldest first. */
    public List<ConnectionInfo> closedConnections() {
        return closed.snapshot();
    }

    /** The closed connection with this id if it is still kept, or {@code null}. */
    public ConnectionInfo closedConnection(long cid) {
        return closed.find(cid);
    }

    public int closedConnectionCount() {
        return closed.size();
    }

    /** From now on the node reports itself unhealthy: it is going away. */
    void markShuttingDown() {
        shuttingDown = true;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** From now on INFO tells clients the node is in lame duck mode and they should move elsewhere. */
    void enterLameDuckMode() {
        lameDuck = true;
    }

    public boolean isLameDuck() {
        return lameDuck;
    }

    /** JetStream runs on this node: INFO says so. */
    public void jetStreamEnabled() {
        jetStream = true;
    }

    /** The node is in {@code cluster}; clients reach it at {@code clientUrl} (empty: not advertised). */
    public void clustered(ClusterNode cluster, String clientUrl) {
        this.cluster = cluster;
        this.clientUrl = clientUrl;
    }

    /** The cluster, or {@code null}. */
    public ClusterNode cluster() {
        return cluster;
    }

    /**
     * The client addresses INFO lists in {@code connect_urls}: this node's (not while in lame duck mode, so that
     * clients go elsewhere) and every other node's, as nats-server lists them; empty outside a cluster and with
     * {@code no_advertise}.
     */
    public List<String> connectUrls() {
        ClusterNode c = cluster;
        if (c == null || c.settings().noAdvertise()) {
            return List.of();
        }
        List<String> urls = new java.util.ArrayList<>();
        if (!lameDuck && !clientUrl.isEmpty()) {
            urls.add(clientUrl);
        }
        urls.addAll(c.peerClientUrls());
        return urls;
    }

    /** The nodes of the cluster changed: every client that takes INFO updates gets a new one. */
    public void infoChanged() {
        for (ClientConnection.Client c : clients.values()) {
            c.notifyInfoChanged();
        }
    }

    public boolean isJetStreamEnabled() {
        return jetStream;
    }

    /** The INFO line a new client is greeted with; in lame duck mode it carries {@code "ldm":true}. */
    byte[] info(long clientId, String clientIp, int port) {
        Security security = settings.security();
        ObjectNode info = JSON.createObjectNode();
        info.put("server_id", serverId);
        info.put("server_name", serverName);
        info.put("version", NATS_VERSION);
        info.put("proto", 1);
        info.put("go", RUNTIME); // nats-server names its runtime here; clients only show it
        info.put("host", settings.listen().host());
        info.put("port", port);
        info.put("headers", true);
        if (security.authRequired()) {
            info.put("auth_required", true);
        }
        if (security.tlsRequired()) {
            info.put("tls_required", true);
            if (security.tls().verify()) {
                info.put("tls_verify", true);
            }
        }
        info.put("max_payload", settings.limits().maxPayload());
        if (jetStream) {
            info.put("jetstream", true);
        }
        info.put("client_id", clientId);
        info.put("client_ip", clientIp);
        ClusterNode c = cluster;
        if (c != null) {
            info.put("cluster", c.name());
            List<String> urls = connectUrls();
            if (!urls.isEmpty()) {
                var array = info.putArray("connect_urls");
                urls.forEach(array::add);
            }
        }
        if (lameDuck) {
            info.put("ldm", true);
        }
        return ("INFO " + info + " \r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A server id in nats-server's form: 'N' and 55 base32 characters. */
    private static String newServerId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder("N");
        for (int i = 0; i < 55; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
