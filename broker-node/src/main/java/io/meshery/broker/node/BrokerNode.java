package io.meshery.broker.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.cluster.ClusterSettings;
import io.meshery.broker.cluster.PekkoClusterConfig;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.config.NodeSettings;
import io.meshery.broker.jetstream.JetStream;
import io.meshery.broker.jetstream.JetStreamConfig;
import io.meshery.broker.monitor.MonitorServer;
import io.meshery.broker.server.ClientConnection;
import io.meshery.broker.server.ClientListener;
import io.meshery.broker.server.CloseReason;
import io.meshery.broker.server.Server;
import io.meshery.broker.server.ServerSettings;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running broker node: its actor system (under a {@link NodeGuardian}), the client listener and the
 * monitoring port. Start it with {@link #start}, stop it with {@link #shutdown}; tests embed it the same way the
 * launcher does.
 */
public final class BrokerNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);
    /** Literal partitions of the subscription index, each owned by one shard actor (plus one for wildcards). */
    private static final int LITERAL_PARTITIONS = 8;
    /** How long the guardian's answer and the client port's binding may take. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final ActorSystem<NodeGuardian.Command> system;
    private final Server server;
    private final ClientListener listener;
    private volatile boolean stopped;
    /** Counted down when {@link #shutdown} begins; lame duck mode waits on it so that a stop cuts it short. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private boolean lameDuck;
    /** JetStream, or {@code null} when it is off. */
    private volatile JetStream jetStream;
    /** The monitoring HTTP server, or {@code null} when monitoring is off. */
    private volatile MonitorServer monitor;

    private BrokerNode(ActorSystem<NodeGuardian.Command> system, Server server, ClientListener listener) {
        this.system = system;
        this.server = server;
        this.listener = listener;
    }

    /** Starts a node and returns once its client port listens. */
    public static BrokerNode start(ServerSettings settings) {
        return start(settings, null);
    }

    /** Starts a node with JetStream when {@code jetStream} is not null. */
    public static BrokerNode start(ServerSettings settings, JetStreamConfig jetStream) {
        return start(settings, jetStream, ConfigFactory.load());
    }

    public static BrokerNode start(ServerSettings settings, JetStreamConfig jetStream, Config config) {
        return start(settings, jetStream, null, config);
    }

    /** Starts a node, in the cluster {@code cluster} when it is not null. */
    public static BrokerNode start(ServerSettings settings, JetStreamConfig jetStream, ClusterSettings cluster) {
        return start(settings, jetStream, cluster, ConfigFactory.load());
    }

    public static BrokerNode start(ServerSettings settings, JetStreamConfig jetStream, ClusterSettings cluster,
                                   Config config) {
        NodeSettings.Listen listen = settings.listen();
        Config effective = cluster == null ? config
            : PekkoClusterConfig.of(cluster, config, RaftHost.maxFrameBytes(settings.limits().maxPayload()));
        ActorSystem<NodeGuardian.Command> system;
        try {
            system = ActorSystem.create(NodeGuardian.create(LITERAL_PARTITIONS),
                cluster == null ? PekkoClusterConfig.SYSTEM_NAME : PekkoClusterConfig.systemName(cluster), effective);
        } catch (RuntimeException e) {
            throw new IllegalStateException(cluster == null ? "cannot start: " + rootMessage(e)
                : "cannot listen for cluster connections on " + cluster.host() + ":" + cluster.port() + ": "
                    + rootMessage(e), e);
        }
        try {
            NodeGuardian.Spawned spawned = AskPattern.<NodeGuardian.Command, NodeGuardian.Spawned>ask(system,
                    NodeGuardian.GetSpawned::new, START_TIMEOUT, system.scheduler())
                .toCompletableFuture()
                .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Server server = new Server(settings, spawned.shards());
            ClusterNode clusterNode = cluster == null ? null : ClusterNode.create(system, cluster, spawned.shards());
            JetStream js = null;
            if (jetStream != null) {
                js = new JetStream(jetStream, spawned.shards(), server.newFanout(), system);
                if (clusterNode != null) {
                    // Main has checked that server_name is set
                    js.replicateIn(clusterNode, server.serverName(), settings.limits().maxPayload());
                }
                js.start();
                server.jetStreamEnabled();
            }
            ClientListener listener =
                ClientListener.bind(system, server, listen.host(), listen.bindPort());
            BrokerNode node = new BrokerNode(system, server, listener);
            if (clusterNode != null) {
                String clientUrl = cluster.noAdvertise() ? "" : clientHost(listen.host(), cluster) + ":" + node.port();
                server.clustered(clusterNode, clientUrl);
                clusterNode.start(new ClusterNode.Identity(server.serverId(), server.serverName(), clientUrl,
                    js != null, server.start().toEpochMilli()), server::newFanout, settings.limits().maxPayload(), settings.limits().maxPending(),
                    server::infoChanged);
                log.info("Cluster \"{}\": listening for nodes on {}:{} as {}, seeds {}", cluster.name(),
                    cluster.host(), cluster.port(), clusterNode.selfAddress(), cluster.routes());
            }
            node.jetStream = js;
            if (listen.monitoring()) {
                node.monitor = MonitorServer.start(system, server, listen.httpHost(), listen.httpBindPort(), js,
                    clusterNode == null ? null : Management.handler(system));
            }
            if (clusterNode != null) {
                Management.startIfAsked(system);
            }
            if (settings.security().tlsRequired()) {
                log.info("TLS required for client connections ({})", settings.security().tls().provider());
            }
            // Last: the launcher and its tests take this line to mean the node is up.
            log.info("Listening for client connections on {}:{}", listen.host(), node.port());
            return node;
        } catch (MonitorServer.BindFailed e) {
            system.terminate();
            throw e;
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("cannot listen on " + listen.host() + ":" + listen.bindPort()
                + ": " + rootMessage(e), e);
        }
    }

    /** Where clients reach this node, as told to the others: the client host, or the cluster's for any address. */
    private static String clientHost(String host, ClusterSettings cluster) {
        boolean any = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
        return any ? PekkoClusterConfig.canonicalHost(cluster) : host;
    }

    public Server server() {
        return server;
    }

    public ActorSystem<NodeGuardian.Command> system() {
        return system;
    }

    /** The client port actually bound (useful when the settings asked for any free port). */
    public int port() {
        return listener.port();
    }

    /** The monitoring port actually bound, or -1 when monitoring is off. */
    public int httpPort() {
        MonitorServer m = monitor;
        return m == null ? -1 : m.port();
    }

    /**
     * Stops accepting, lets every client write out what is queued and closes it, then stops the actor
     * system. Returns when done or when {@code timeout} has passed.
     */
    public void shutdown(Duration timeout) {
        synchronized (this) { // a signal and lame duck mode may both ask to stop
            if (stopped) {
                return;
            }
            stopped = true;
        }
        stopping.countDown();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            listener.beginShutdown().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Unbinding the client port failed: {}", rootMessage(e));
        }
        for (ClientConnection.Client c : server.clients()) {
            c.requestClose(CloseReason.SERVER_SHUTDOWN);
        }
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // polling the client count with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Monitoring stays up while clients drain, so /healthz can say the node is going away.
        MonitorServer m = monitor;
        if (m != null) {
            m.stop(Duration.ofNanos(Math.max(1, Math.min(deadline - System.nanoTime(), 1_000_000_000L))));
        }
        JetStream js = jetStream;
        if (js != null) {
            js.close();
        }
        if (server.cluster() != null) {
            // Leaves the cluster first (the others drop this node's interest at once), then stops the system.
            CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
        } else {
            system.terminate();
        }
        try {
            long left = Math.max(1, deadline - System.nanoTime());
            system.getWhenTerminated().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            log.warn("Actor system did not stop in time: {}", rootMessage(e));
        }
    }

    /**
     * Enters lame duck mode, as nats-server does on SIGUSR2: stops accepting clients, tells every client with an
     * INFO carrying {@code "ldm":true}, waits {@code lame_duck_grace_period}, closes the clients one by one over
     * the rest of {@code lame_duck_duration}, then shuts the node down. Returns at once; the process waits on
     * {@code system().getWhenTerminated()}. Does nothing when already in lame duck mode or stopping.
     */
    public synchronized void enterLameDuckMode() {
        if (lameDuck || stopped) {
            return;
        }
        lameDuck = true;
        LameDuck.start(this, server, listener, stopping);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
