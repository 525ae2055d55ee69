package io.meshery.broker.server;

import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.SubjectShards;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
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
                    Flow.fromGraph(new ClientConnection(server, conn.localAddress(), conn.remoteAddress())), mat)))
                .run(mat)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
            BrokerNode node = new BrokerNode(system, server, binding);
            server.clientPortBound(node.port());
            log.info("Listening for client connections on {}:{}", settings.host(), node.port());
            return node;
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

    /**
     * Stops accepting, lets every client write out what is queued and closes it, then stops the actor
     * system. Returns when done or when {@code timeout} has passed.
     */
    public void shutdown(Duration timeout) {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            binding.unbind().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        system.terminate();
        try {
            long left = Math.max(1, deadline - System.nanoTime());
            system.getWhenTerminated().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            log.warn("Actor system did not stop in time: {}", rootMessage(e));
        }
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
