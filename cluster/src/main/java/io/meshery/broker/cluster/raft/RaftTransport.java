package io.meshery.broker.cluster.raft;

import static io.meshery.broker.cluster.FrameConnection.closeQuietly;

import io.meshery.broker.cluster.FrameConnection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls between the nodes of the cluster: Raft's requests between the replicas of a stream
 * ({@link ArteryServerRpc}), and the node's own requests (a stream to create on a peer). A call's handler runs on
 * a worker thread, since Raft's handlers block (a follower writes and forces its log before it answers), or, when
 * it is asynchronous, where the call arrives, in order. Calls to this node itself skip the network.
 *
 * <p>Two ways across. Over the Pekko remoting the cluster already runs: one system actor per node,
 * {@code /system/meshery-raft}, receives calls and replies. And, when the node listens for them, over a connection
 * of its own per pair of nodes ({@link FrameConnection}): a node asks a peer once (over Pekko) for the port it
 * takes such connections on (any free one on the cluster port's address, so nothing collides on one host), opens
 * one, and from then on sends its calls over it and gets their replies back on it; a message crosses with about
 * four thread hand-offs fewer. Until that connection is open, and whenever it is lost, calls go over Pekko.
 * Timeouts are swept every {@value #SWEEP_MILLIS} ms rather than timed per call.
 *
 * <p>Thread-safe.
 */
public final class RaftTransport implements AutoCloseable {

    public static final String NAME = "meshery-raft";
    public static final int REQUEST_VOTE = 1;
    public static final int APPEND_ENTRIES = 2;
    public static final int INSTALL_SNAPSHOT = 3;
    public static final int START_LEADER_ELECTION = 4;
    /** The first kind free for the node's own calls. */
    public static final int FIRST_NODE_KIND = 16;
    /** Asks the port a node takes the transport's own connections on: 4 bytes, 0 for none. */
    private static final int PORT = 0;
    /** "MBRT": a meshery-broker Raft transport connection. */
    private static final int MAGIC = 0x4d425254;
    private static final int VERSION = 1;
    private static final byte CALL = 1;
    private static final byte REPLY = 2;
    private static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int PREAMBLE_TIMEOUT_MILLIS = 5_000;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long SWEEP_MILLIS = 50;

    private static final Logger log = LoggerFactory.getLogger(RaftTransport.class);

    /** Serves one kind of call; runs on a worker thread and may block. */
    public interface Handler {
        byte[] handle(byte[] body) throws IOException;
    }

    /**
     * Serves one kind of call without blocking: runs on the transport's actor, in the order the calls arrive, and
     * answers when its future completes (one thread hand-off less than a {@link Handler}).
     */
    public interface AsyncHandler {
        CompletableFuture<byte[]> handle(byte[] body) throws IOException;
    }

    private final ActorSystem<?> system;
    private final String selfAddress;
    private final ActorRefResolver resolver;
    private final Map<String, ActorRef<RaftMessage>> peers = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final Map<Integer, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<Integer, AsyncHandler> asyncHandlers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService workers;
    /** False once the node stops: calls are refused before they reach a Raft server that is closing. */
    private volatile boolean serving = true;
    /** Calls not answered yet, with the time they give up. */
    private final Map<CompletableFuture<byte[]>, Long> deadlines = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    /** Where this node takes the transport's own connections, or null: Pekko remoting only. */
    private final ServerSocketChannel server;
    /** The address this node's connections leave from, or null for any. */
    private final String localHost;
    /** This node's connection to each peer, by the peer's Pekko address. */
    private final Map<String, Outbound> outbound = new ConcurrentHashMap<>();
    /** The peers' connections to this node. */
    private final Set<FrameConnection> inbound = ConcurrentHashMap.newKeySet();

    private RaftTransport(ActorSystem<?> system, String selfAddress, String bindHost, String localHost) {
        this.system = system;
        this.selfAddress = selfAddress;
        this.localHost = localHost;
        this.resolver = ActorRefResolver.get(system);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshery-raft-timeouts");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, 256, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "meshery-raft-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // last: the acceptor thread, started here, sees every field above
        this.server = listen(bindHost);
        int port = port();
        asyncHandlers.put(PORT, b -> CompletableFuture.completedFuture(ByteBuffer.allocate(4).putInt(port).array()));
    }

    private ServerSocketChannel listen(String bindHost) {
        if (bindHost == null) {
            return null;
        }
        try {
            return FrameConnection.listen(bindHost, "meshery-raft", this::serveConnection);
        } catch (IOException e) {
            log.warn("Raft transport: cannot listen on {} ({}); Raft's calls go over Pekko remoting", bindHost,
                e.toString());
            return null;
        }
    }

    /** Starts this node's end, over Pekko remoting only: from now on it answers calls whose kind has a handler. */
    public static RaftTransport start(ActorSystem<?> system, String selfAddress) {
        return start(system, selfAddress, null, null);
    }

    /**
     * Starts this node's end, also taking the transport's own connections on any free port of {@code bindHost}
     * (none when it is null, or when it cannot listen there: Pekko remoting only, with a warning).
     *
     * @param localHost the address this node's connections leave from, or null for any
     */
    public static RaftTransport start(ActorSystem<?> system, String selfAddress, String bindHost, String localHost) {
        RaftTransport t = new RaftTransport(system, selfAddress, bindHost, localHost);
        system.systemActorOf(t.behavior(), NAME, Props.empty());
        return t;
    }

    /** The port this node takes the transport's own connections on, 0 for none. */
    int port() {
        return server == null ? 0 : server.socket().getLocalPort();
    }

    /** This node's Pekko address, as the others call it. */
    public String selfAddress() {
        return selfAddress;
    }

    public void handle(int kind, Handler handler) {
        handlers.put(kind, handler);
    }

    public void handleAsync(int kind, AsyncHandler handler) {
        asyncHandlers.put(kind, handler);
    }

    /** Calls the node at {@code address}; the future fails with an {@link IOException} after {@code timeout}. */
    public CompletableFuture<byte[]> call(String address, int kind, byte[] body, Duration timeout) {
        if (address.equals(selfAddress)) {
            AsyncHandler async = asyncHandlers.get(kind);
            if (async != null) {
                try {
                    return withTimeout(async.handle(body), timeout);
                } catch (IOException | RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
            CompletableFuture<byte[]> local = new CompletableFuture<>();
            try {
                workers.execute(() -> {
                    try {
                        local.complete(serve(kind, body));
                    } catch (IOException | RuntimeException e) {
                        local.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                local.completeExceptionally(new IOException("node stopping"));
            }
            return withTimeout(local, timeout);
        }
        long id = ids.incrementAndGet();
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        pending.put(id, f);
        f.whenComplete((r, e) -> pending.remove(id));
        Outbound out = kind == PORT ? null : outboundTo(address);
        if (out == null || !out.send(id, kind, body, f)) {
            peer(address).tell(new RaftMessage.Call(selfAddress, id, kind, body));
        }
        return withTimeout(f, timeout);
    }

    private CompletableFuture<byte[]> withTimeout(CompletableFuture<byte[]> f, Duration timeout) {
        if (!f.isDone()) {
            deadlines.put(f, System.nanoTime() + timeout.toNanos());
            f.whenComplete((r, e) -> deadlines.remove(f));
        }
        return f;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<CompletableFuture<byte[]>, Long> e : deadlines.entrySet()) {
            if (now - e.getValue() >= 0) {
                e.getKey().completeExceptionally(new TimeoutException());
            }
        }
    }

    /** {@link #call}, waiting for the answer. */
    public byte[] callAndWait(String address, int kind, byte[] body, Duration timeout) throws IOException {
        try {
            return call(address, kind, body, timeout).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted calling " + address);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw new IOException("no answer from " + address + " within " + timeout.toMillis() + " ms");
            }
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
    }

    private byte[] serve(int kind, byte[] body) throws IOException {
        Handler h = handlers.get(kind);
        if (h == null) {
            throw new IOException("no handler for call kind " + kind + " (yet)");
        }
        return h.handle(body);
    }

    private ActorRef<RaftMessage> peer(String address) {
        return peers.computeIfAbsent(address, a -> resolver.resolveActorRef(a + "/system/" + NAME));
    }

    private Behavior<RaftMessage> behavior() {
        return Behaviors.receive(RaftMessage.class)
            .onMessage(RaftMessage.Call.class, c -> {
                if (!serving) {
                    peer(c.from()).tell(new RaftMessage.Reply(c.id(), false,
                        "node stopping".getBytes(StandardCharsets.UTF_8)));
                    return Behaviors.same();
                }
                dispatch(c, r -> peer(c.from()).tell(r));
                return Behaviors.same();
            })
            .onMessage(RaftMessage.Reply.class, r -> {
                CompletableFuture<byte[]> f = pending.get(r.id());
                if (f != null) {
                    if (r.ok()) {
                        f.complete(r.body());
                    } else {
                        f.completeExceptionally(new IOException(new String(r.body(), StandardCharsets.UTF_8)));
                    }
                }
                return Behaviors.same();
            })
            .build();
    }

    /** Runs call {@code c}'s handler (an asynchronous one here, in order; a blocking one on a worker). */
    private void dispatch(RaftMessage.Call c, Consumer<RaftMessage.Reply> replies) {
        AsyncHandler async = asyncHandlers.get(c.kind());
        if (async != null) {
            answerAsync(c, async, replies);
            return;
        }
        try {
            workers.execute(() -> answer(c, replies));
        } catch (RejectedExecutionException e) {
            log.debug("Raft call {} from {} dropped: the node is stopping", c.kind(), c.from());
        }
    }

    private void answerAsync(RaftMessage.Call c, AsyncHandler handler,
                             Consumer<RaftMessage.Reply> replies) {
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.handle(c.body());
        } catch (IOException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((body, e) -> {
            if (e == null) {
                replies.accept(new RaftMessage.Reply(c.id(), true, body));
            } else {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
                log.debug("Raft call {} from {} failed: {}", c.kind(), c.from(), cause.toString());
                String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                replies.accept(new RaftMessage.Reply(c.id(), false, why.getBytes(StandardCharsets.UTF_8)));
            }
        });
    }

    private void answer(RaftMessage.Call c, Consumer<RaftMessage.Reply> replies) {
        RaftMessage.Reply reply;
        try {
            reply = new RaftMessage.Reply(c.id(), true, serve(c.kind(), c.body()));
        } catch (IOException | RuntimeException e) {
            log.debug("Raft call {} from {} failed: {}", c.kind(), c.from(), e.toString());
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            reply = new RaftMessage.Reply(c.id(), false, why.getBytes(StandardCharsets.UTF_8));
        }
        replies.accept(reply);
    }

    /**
     * Refuses the calls that arrive from now on (the caller gets an error at once, as from a node that is gone), so
     * that a Raft server being closed is not asked anything (Ratis logs each such request as an error).
     */
    public void stopServing() {
        serving = false;
    }

    @Override
    public void close() {
        serving = false;
        closeQuietly(server);
        for (Outbound o : outbound.values()) {
            o.close();
        }
        for (FrameConnection c : inbound) {
            c.close();
        }
        workers.shutdownNow();
        sweeper.shutdownNow();
        pending.values().forEach(f -> f.completeExceptionally(new IOException("node stopping")));
    }

    // ---- the transport's own connections -------------------------------------------------------------------

    /** This node's open connection to {@code address}, or null (then one is being opened, or it cannot be). */
    private Outbound outboundTo(String address) {
        if (server == null) {
            return null;
        }
        Outbound out = outbound.computeIfAbsent(address, Outbound::new);
        return out.ready() ? out : null;
    }

    /** This node's connection to one peer: its calls go out on it and their replies come back on it. */
    private final class Outbound implements FrameConnection.Receiver {
        private final String address;
        private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
        private volatile FrameConnection conn;
        private boolean opening;
        private long retryAt = System.nanoTime();

        Outbound(String address) {
            this.address = address;
        }

        /** Whether calls can go over the connection now; starts opening it when it is not open. */
        boolean ready() {
            FrameConnection c = conn;
            if (c != null && c.isOpen()) {
                return true;
            }
            synchronized (this) {
                if (!opening && serving && System.nanoTime() - retryAt >= 0) {
                    opening = true;
                    call(address, PORT, new byte[0], Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
                        .whenComplete((port, e) -> {
                            if (e != null) {
                                failed("no answer to the port question: " + e);
                            } else {
                                FrameConnection.daemon("meshery-raft-connect",
                                    () -> open(ByteBuffer.wrap(port).getInt()));
                            }
                        });
                }
            }
            return false;
        }

        private void open(int port) {
            if (port == 0) {
                failed("it takes no connections of its own");
                return;
            }
            String host = AddressFromURIString.parse(address).host().getOrElse(() -> "localhost");
            SocketChannel ch = null;
            try {
                byte[] self = selfAddress.getBytes(StandardCharsets.UTF_8);
                ByteBuffer pre = ByteBuffer.allocate(10 + self.length).putInt(MAGIC).putShort((short) VERSION)
                    .putInt(self.length).put(self).flip();
                ch = FrameConnection.dial(localHost, host, port, CONNECT_TIMEOUT_MILLIS, pre);
                FrameConnection c = FrameConnection.start(ch, MAX_FRAME_BYTES, "meshery-raft-out-" + host, this);
                synchronized (this) {
                    conn = c;
                    opening = false;
                }
                log.debug("Raft transport: calls to {} go over a connection to {}:{}", address, host, port);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                failed("cannot connect to " + host + ":" + port + ": " + e);
            }
        }

        private synchronized void failed(String why) {
            opening = false;
            retryAt = System.nanoTime() + RETRY_NANOS;
            if (serving) {
                // retried every few seconds while the peer is away: not worth a line each time
                log.debug("Raft transport: calls to {} go over Pekko remoting for now ({})", address, why);
            }
        }

        /** Sends a call; false when the connection is not open (the call must go another way). */
        boolean send(long id, int kind, byte[] body, CompletableFuture<byte[]> answer) {
            FrameConnection c = conn;
            if (c == null) {
                return false;
            }
            inFlight.add(id);
            answer.whenComplete((r, e) -> inFlight.remove(id));
            ByteBuffer head = ByteBuffer.allocate(13).put(CALL).putLong(id).putInt(kind).flip();
            if (!c.send(head, ByteBuffer.wrap(body))) {
                inFlight.remove(id);
                return false;
            }
            return true;
        }

        @Override
        public void frame(ByteBuffer frame) {
            if (frame.get() != REPLY) {
                return;
            }
            long id = frame.getLong();
            boolean ok = frame.get() != 0;
            byte[] body = new byte[frame.remaining()];
            frame.get(body);
            CompletableFuture<byte[]> f = pending.get(id);
            if (f != null) {
                if (ok) {
                    f.complete(body);
                } else {
                    f.completeExceptionally(new IOException(new String(body, StandardCharsets.UTF_8)));
                }
            }
        }

        @Override
        public void closed(Exception cause) {
            synchronized (this) {
                conn = null;
                retryAt = System.nanoTime();
            }
            if (cause != null && serving) {
                log.info("Raft transport: connection to {} lost ({})", address, cause.toString());
            }
            IOException lost = new IOException("connection to " + address + " lost");
            for (Long id : List.copyOf(inFlight)) {
                CompletableFuture<byte[]> f = pending.get(id);
                if (f != null) {
                    f.completeExceptionally(lost);
                }
            }
        }

        void close() {
            FrameConnection c = conn;
            if (c != null) {
                c.close();
            }
        }
    }

    /** Reads a peer's preamble, then answers its calls on the same connection. */
    private void serveConnection(SocketChannel ch) {
        String from = "?";
        try {
            from = String.valueOf(ch.getRemoteAddress());
            ByteBuffer head = ByteBuffer.wrap(FrameConnection.readPreamble(ch, 10, PREAMBLE_TIMEOUT_MILLIS));
            int len = head.getInt(6);
            if (head.getInt(0) != MAGIC || head.getShort(4) != VERSION || len < 0 || len > 4096) {
                log.warn("Raft transport: connection from {} is not one of ours, closed", from);
                ch.close();
                return;
            }
            String peerAddress = new String(FrameConnection.readPreamble(ch, len, PREAMBLE_TIMEOUT_MILLIS),
                StandardCharsets.UTF_8);
            Inbound peer = new Inbound(peerAddress);
            peer.conn = FrameConnection.start(ch, MAX_FRAME_BYTES, "meshery-raft-in", peer);
            inbound.add(peer.conn);
            if (!serving) {
                peer.conn.close();
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Raft transport: connection from {} closed before its preamble: {}", from, e.toString());
            closeQuietly(ch);
        }
    }

    /** A peer's connection to this node: its calls come in on it and go to the handlers; replies go back on it. */
    private final class Inbound implements FrameConnection.Receiver {
        private final String peerAddress;
        volatile FrameConnection conn;

        Inbound(String peerAddress) {
            this.peerAddress = peerAddress;
        }

        @Override
        public void frame(ByteBuffer frame) {
            if (frame.get() != CALL) {
                return;
            }
            long id = frame.getLong();
            int kind = frame.getInt();
            byte[] body = new byte[frame.remaining()];
            frame.get(body);
            RaftMessage.Call c = new RaftMessage.Call(peerAddress, id, kind, body);
            Consumer<RaftMessage.Reply> replies = this::reply;
            if (!serving) {
                reply(new RaftMessage.Reply(id, false, "node stopping".getBytes(StandardCharsets.UTF_8)));
                return;
            }
            dispatch(c, replies);
        }

        private void reply(RaftMessage.Reply r) {
            FrameConnection c = conn;
            if (c != null) {
                ByteBuffer head = ByteBuffer.allocate(10).put(REPLY).putLong(r.id()).put((byte) (r.ok() ? 1 : 0))
                    .flip();
                c.send(head, ByteBuffer.wrap(r.body()));
            }
        }

        @Override
        public void closed(Exception cause) {
            inbound.remove(conn);
            if (cause != null && serving) {
                log.debug("Raft transport: connection from {} ended ({})", peerAddress, cause.toString());
            }
        }
    }
}
