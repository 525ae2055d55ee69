package io.meshery.broker.server;

import io.meshery.broker.security.TlsConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client port of one node: a listening socket, a thread that accepts on it, and the {@link SelectorLoop}s the
 * accepted sockets are spread over. Each accepted socket gets its connection actor ({@link ClientConnection}).
 * Also the two ways the node's {@link Server} starts sending its clients away (shutdown and lame duck mode), so
 * that the node's assembly, which lives in a package above this one, needs nothing from here that is not public.
 * Thread-safe.
 *
 * <p>Why not Pekko's {@code Tcp}: a message in and out of a connection there crosses the selector, the connection's
 * I/O actor, the stream's actor, and back for the write and its acknowledgement, about nine thread hand-offs per
 * request-reply on one node. Here a read is handed once, from the loop to the connection's actor, and a write is
 * made by the thread that queued it (docs/architecture.md, "Client connections").
 */
public final class ClientListener {

    private static final Logger log = LoggerFactory.getLogger(ClientListener.class);

    /** Pending connections the operating system keeps for the listener. */
    private static final int BACKLOG = 1024;

    private final ActorSystem<?> system;
    private final Server server;
    private final ServerSocketChannel listening;
    private final SelectorLoop[] loops;
    /** The dispatcher each loop's connection actors run on; {@code null}: the default dispatcher. */
    private final String[] dispatchers;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final Thread acceptor;
    private CompletableFuture<Void> unbinding;

    private ClientListener(ActorSystem<?> system, Server server, ServerSocketChannel listening, SelectorLoop[] loops) {
        this.system = system;
        this.server = server;
        this.listening = listening;
        this.loops = loops;
        this.dispatchers = new String[loops.length];
        if (ACTORS_ON_LOOPS) {
            for (int i = 0; i < loops.length; i++) {
                dispatchers[i] = LoopDispatcher.register(Adapter.toClassic(system), "meshery.client-loop-" + i, loops[i]);
            }
        }
        this.acceptor = new Thread(this::accept, "client-acceptor");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code host:port} (port 0: any free port) for {@code server}'s clients and returns once it listens. The
     * listener and its loops stop when {@code system} terminates.
     *
     * @throws IOException when the port cannot be bound
     */
    public static ClientListener bind(ActorSystem<?> system, Server server, String host, int port)
        throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(host, port), BACKLOG);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        SelectorLoop[] loops = new SelectorLoop[loopCount()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new SelectorLoop("client-io-" + i);
            loops[i].start();
        }
        ClientListener listener = new ClientListener(system, server, channel, loops);
        server.clientPortBound(listener.port());
        listener.acceptor.start();
        system.getWhenTerminated().thenRun(listener::stopLoops);
        return listener;
    }

    /**
     * Whether the connections' actors run on their sockets' loops ({@link LoopDispatcher}, the default) or on
     * Pekko's default dispatcher, a hand-off from the loop for every read ({@code false}, for comparison).
     */
    static final boolean ACTORS_ON_LOOPS =
        Boolean.parseBoolean(System.getProperty("meshery.broker.client.actors-on-loops", "true"));

    /**
     * One loop per processor when the actors run on them (they parse and deliver there), else one per two (a loop
     * then only reads and finishes writes). {@code -Dmeshery.broker.client.loops=N} sets it.
     */
    private static int loopCount() {
        int cpus = Runtime.getRuntime().availableProcessors();
        int dflt = ACTORS_ON_LOOPS ? cpus : Math.max(1, cpus / 2);
        return Math.max(1, Integer.getInteger("meshery.broker.client.loops", dflt));
    }

    /** The port actually bound. */
    public int port() {
        return listening.socket().getLocalPort();
    }

    private void accept() {
        while (listening.isOpen()) {
            SocketChannel channel;
            try {
                channel = listening.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.warn("Accepting a client connection failed: {}", e.getMessage());
                continue;
            }
            try {
                open(channel);
            } catch (IOException | RuntimeException e) {
                log.warn("Setting up a client connection failed: {}", e.toString());
                closeQuietly(channel);
            }
        }
    }

    private void open(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        int localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        long cid = server.nextClientId();
        int index = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
        SelectorLoop loop = loops[index];
        Outbound outbound = new Outbound(server.settings().limits().maxPending(), server.budget());
        TlsConfig tls = server.settings().security().tls();
        ClientSocket socket;
        TlsHandshake handshake = null;
        if (tls == null) {
            socket = new ClientSocket(channel, loop, outbound, null, null, null);
        } else {
            String ip = remote.getAddress().getHostAddress();
            handshake = new TlsHandshake(ip + ":" + remote.getPort() + " - cid:" + cid + " - ");
            // as nats-server 2.9: INFO in plain text, then the handshake
            socket = new ClientSocket(channel, loop, outbound, tls.newEngine(), handshake, server.info(cid, ip, localPort));
        }
        ClientConnection connection = new ClientConnection(server, remote, localPort, cid, socket, outbound, handshake);
        // the actor starts the socket: reads go to it only once it is there
        Props props = dispatchers[index] == null ? connection.props() : connection.props().withDispatcher(dispatchers[index]);
        ((ExtendedActorSystem) Adapter.toClassic(system)).systemActorOf(props, "client-" + cid);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    /** Closes the listener once; later calls return the same completion. */
    public synchronized CompletionStage<?> stopAccepting() {
        if (unbinding == null) {
            try {
                listening.close();
            } catch (IOException e) {
                log.warn("Closing the client port failed: {}", e.getMessage());
            }
            unbinding = CompletableFuture.completedFuture(null);
        }
        return unbinding;
    }

    private void stopLoops() {
        stopAccepting();
        for (SelectorLoop loop : loops) {
            loop.stop();
        }
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
