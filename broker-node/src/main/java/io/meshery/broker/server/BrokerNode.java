package io.meshery.broker.server;

import io.meshery.broker.monitor.MonitorServer;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.SubjectShards;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * One running broker node: its actor system, the subject shards and the client listener. Start it with
 * {@link #start}, stop it with {@link #shutdown}; tests embed it the same way the launcher does.
 */
public final class BrokerNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);
    /** Literal partitions of the subscription index, each owned by one shard actor (plus one for wildcards). */
    private static final int LITERAL_PARTITIONS = 8;

    private final ActorSystem<Void> system;
    private final Server server;
    private final Tcp.ServerBinding binding;
    private volatile boolean stopped;
    /** Counted down when {@link #shutdown} begins; lame duck mode waits on it so that a stop cuts it short. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private CompletionStage<?> unbinding;
    private boolean lameDuck;
    /** The monitoring HTTP server, or {@code null} when monitoring is off. */
    private volatile MonitorServer monitor;

    private BrokerNode(ActorSystem<Void> system, Server server, Tcp.ServerBinding binding) {
        this.system = system;
        this.server = server;
        this.binding = binding;
    }

    /** Starts a node and returns once its client port listens. */
    public static BrokerNode start(ServerSettings settings) {
        return start(settings, ConfigFactory.load());
    }

    public static BrokerNode start(ServerSettings settings, Config config) {
        SubjectIndex index = new SubjectIndex(LITERAL_PARTITIONS);
        CompletableFuture<SubjectShards> shards = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
            shards.complete(SubjectShards.spawn(ctx, index));
            return Behaviors.empty();
        }), "meshery-broker", config);
        try {
            Server server = new Server(settings, shards.get(10, TimeUnit.SECONDS));
            Materializer mat = Materializer.matFromSystem(system);
            Tcp.ServerBinding binding = Tcp.get(system)
                .bind(settings.host(), settings.port(), 1024, java.util.Collections.emptyList(), false,
                    java.util.Optional.empty())
                .to(Sink.foreach(conn -> conn.handleWith(
                    ClientTransport.flow(server, conn.localAddress(), conn.remoteAddress()), mat)))
                .run(mat)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
            BrokerNode node = new BrokerNode(system, server, binding);
            server.clientPortBound(node.port());
            if (settings.httpPort() >= 0) {
                node.monitor = MonitorServer.start(system, server, settings.httpHost(), settings.httpPort());
            }
            // Last: the launcher and its tests take this line to mean the node is up.
            log.info("Listening for client connections on {}:{}", settings.host(), node.port());
            return node;
        } catch (MonitorServer.BindFailed e) {
            system.terminate();
            throw e;
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port()
                + ": " + rootMessage(e), e);
        }
    }

    public Server server() {
        return server;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** The client port actually bound (useful when the settings asked for port 0). */
    public int port() {
        InetSocketAddress addr = binding.localAddress();
        return addr.getPort();
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
        server.markShuttingDown();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            stopAccepting().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        system.terminate();
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
        LameDuck.start(this, server, stopping);
    }

    /** Closes the client listener once; later calls return the same completion. */
    synchronized CompletionStage<?> stopAccepting() {
        if (unbinding == null) {
            unbinding = binding.unbind();
        }
        return unbinding;
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
