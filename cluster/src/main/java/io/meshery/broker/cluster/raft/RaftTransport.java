package io.meshery.broker.cluster.raft;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls between the nodes of the cluster, over the Pekko remoting the cluster already runs (no port of its own):
 * Raft's requests between the replicas of a stream ({@link ArteryServerRpc}), and the node's own requests (a
 * stream to create on a peer). One system actor per node, {@code /system/meshery-raft}, receives calls and
 * replies; a call's handler runs on a worker thread, since Raft's handlers block (a follower writes and forces its
 * log before it answers). Calls to this node itself skip the network.
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

    private RaftTransport(ActorSystem<?> system, String selfAddress) {
        this.system = system;
        this.selfAddress = selfAddress;
        this.resolver = ActorRefResolver.get(system);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, 256, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "meshery-raft-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts this node's end: from now on it answers calls whose kind has a handler. */
    public static RaftTransport start(ActorSystem<?> system, String selfAddress) {
        RaftTransport t = new RaftTransport(system, selfAddress);
        system.systemActorOf(t.behavior(), NAME, Props.empty());
        return t;
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
                    return async.handle(body).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
            return local.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        long id = ids.incrementAndGet();
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        pending.put(id, f);
        f.whenComplete((r, e) -> pending.remove(id));
        peer(address).tell(new RaftMessage.Call(selfAddress, id, kind, body));
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
                AsyncHandler async = asyncHandlers.get(c.kind());
                if (async != null) {
                    answerAsync(c, async);
                    return Behaviors.same();
                }
                try {
                    workers.execute(() -> answer(c));
                } catch (RejectedExecutionException e) {
                    log.debug("Raft call {} from {} dropped: the node is stopping", c.kind(), c.from());
                }
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

    private void answerAsync(RaftMessage.Call c, AsyncHandler handler) {
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.handle(c.body());
        } catch (IOException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((body, e) -> {
            if (e == null) {
                peer(c.from()).tell(new RaftMessage.Reply(c.id(), true, body));
            } else {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
                log.debug("Raft call {} from {} failed: {}", c.kind(), c.from(), cause.toString());
                String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                peer(c.from()).tell(new RaftMessage.Reply(c.id(), false, why.getBytes(StandardCharsets.UTF_8)));
            }
        });
    }

    private void answer(RaftMessage.Call c) {
        RaftMessage.Reply reply;
        try {
            reply = new RaftMessage.Reply(c.id(), true, serve(c.kind(), c.body()));
        } catch (IOException | RuntimeException e) {
            log.debug("Raft call {} from {} failed: {}", c.kind(), c.from(), e.toString());
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            reply = new RaftMessage.Reply(c.id(), false, why.getBytes(StandardCharsets.UTF_8));
        }
        peer(c.from()).tell(reply);
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
        workers.shutdownNow();
        pending.values().forEach(f -> f.completeExceptionally(new IOException("node stopping")));
    }
}
