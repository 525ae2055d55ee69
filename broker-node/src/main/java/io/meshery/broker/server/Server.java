package io.meshery.broker.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.SubjectShards;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state one node shares among its connections: identity, limits, the subscription index and its
 * shards, the live connections and the counters that monitoring reports. Thread-safe.
 */
public final class Server {

    /** The nats-server version we report: the official clients enable what that version offers. */
    public static final String NATS_VERSION = "2.9.10";
    /** Our own version, for logs and {@code -v}. */
    public static final String VERSION = "0.1.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerSettings settings;
    private final String serverId;
    private final String serverName;
    private final SubjectShards shards;
    private final Instant start = Instant.now();
    private final AtomicLong cids = new AtomicLong();
    private final ConcurrentHashMap<Long, ClientConnection.Client> clients = new ConcurrentHashMap<>();
    private volatile int clientPort;

    final LongAdder inMsgs = new LongAdder();
    final LongAdder inBytes = new LongAdder();
    final LongAdder outMsgs = new LongAdder();
    final LongAdder outBytes = new LongAdder();
    final LongAdder slowConsumers = new LongAdder();
    final LongAdder totalConnections = new LongAdder();

    public Server(ServerSettings settings, SubjectShards shards) {
        this.settings = settings;
        this.shards = shards;
        this.serverId = newServerId();
        this.serverName = settings.serverName() == null || settings.serverName().isEmpty()
            ? serverId : settings.serverName();
    }

    public ServerSettings settings() { return settings; }
    public String serverId() { return serverId; }
    public String serverName() { return serverName; }
    public SubjectShards shards() { return shards; }
    public SubjectIndex index() { return shards.index(); }
    public Instant start() { return start; }
    public long inMsgs() { return inMsgs.sum(); }
    public long inBytes() { return inBytes.sum(); }
    public long outMsgs() { return outMsgs.sum(); }
    public long outBytes() { return outBytes.sum(); }
    public long slowConsumers() { return slowConsumers.sum(); }
    public long totalConnections() { return totalConnections.sum(); }
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

    /** Registers a new client unless the node is full. */
    boolean register(ClientConnection.Client client) {
        if (clients.size() >= settings.maxConnections()) {
            return false;
        }
        clients.put(client.id(), client);
        totalConnections.increment();
        return true;
    }

    void unregister(ClientConnection.Client client) {
        clients.remove(client.id(), client);
    }

    /** The INFO line a new client is greeted with. */
    byte[] info(long clientId, String clientIp, int port) {
        ObjectNode info = JSON.createObjectNode();
        info.put("server_id", serverId);
        info.put("server_name", serverName);
        info.put("version", NATS_VERSION);
        info.put("proto", 1);
        info.put("host", settings.host());
        info.put("port", port);
        info.put("headers", true);
        info.put("max_payload", settings.maxPayload());
        info.put("client_id", clientId);
        info.put("client_ip", clientIp);
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
