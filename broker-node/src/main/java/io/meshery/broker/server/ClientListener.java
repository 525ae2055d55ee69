package io.meshery.broker.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The client port of one node: bound with {@code Tcp.get(system).bind(...)}, one {@link ClientTransport} flow per
 * accepted socket, closed once. Also the two ways the node's {@link Server} starts sending its clients away
 * (shutdown and lame duck mode), so that the node's assembly, which lives in a package above this one, needs
 * nothing from here that is not public. Thread-safe.
 */
public final class ClientListener {

    /** Pending connections the operating system keeps for the listener. */
    private static final int BACKLOG = 1024;

    private final Server server;
    private final Tcp.ServerBinding binding;
    private CompletionStage<?> unbinding;

    private ClientListener(Server server, Tcp.ServerBinding binding) {
        this.server = server;
        this.binding = binding;
    }

    /**
     * Binds {@code host:port} (port 0: any free port) for {@code server}'s clients and returns once it listens.
     *
     * @throws Exception when the port cannot be bound within {@code timeout}
     */
    public static ClientListener bind(ActorSystem<?> system, Server server, String host, int port, Duration timeout)
        throws Exception {
        Materializer mat = Materializer.matFromSystem(system);
        Tcp.ServerBinding binding = Tcp.get(system)
            .bind(host, port, BACKLOG, Collections.emptyList(), false, Optional.empty())
            .to(Sink.foreach(conn -> conn.handleWith(
                ClientTransport.flow(server, conn.localAddress(), conn.remoteAddress()), mat)))
            .run(mat)
            .toCompletableFuture()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        ClientListener listener = new ClientListener(server, binding);
        server.clientPortBound(listener.port());
        return listener;
    }

    /** The port actually bound. */
    public int port() {
        InetSocketAddress addr = binding.localAddress();
        return addr.getPort();
    }

    /** Closes the listener once; later calls return the same completion. */
    public synchronized CompletionStage<?> stopAccepting() {
        if (unbinding == null) {
            unbinding = binding.unbind();
        }
        return unbinding;
    }

    /** From now on the node reports itself going away ({@code /healthz}); stops accepting. */
    public CompletionStage<?> beginShutdown() {
        server.markShuttingDown();
        return stopAccepting();
    }

    /** From now on INFO carries {@code "ldm":true}; stops accepting. Connected clients are not told here. */
    public CompletionStage<?> beginLameDuckMode() {
        server.enterLameDuckMode();
        return stopAccepting();
    }
}
