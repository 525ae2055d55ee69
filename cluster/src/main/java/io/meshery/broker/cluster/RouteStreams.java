package io.meshery.broker.cluster;

import static io.meshery.broker.cluster.FrameConnection.closeQuietly;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes' own TCP connections: each node sends its record stream to each peer over a connection of its own
 * ({@link Out}) instead of as Pekko remoting messages, and reads each peer's on a thread of its own. A message then
 * crosses from the publisher's thread to the socket and from the socket to the subscribers' buffers with no actor
 * in between: on a request-reply across two nodes that is about four thread hand-offs fewer per node than Artery's
 * outbound and inbound streams. Membership, hellos, acknowledgements and pings stay on Pekko remoting.
 *
 * <p>The listening port is any free one on the cluster port's address, announced in the hello
 * ({@link RouteMessage.Hello#streamPort}), so several nodes on one host never collide and nothing is configured.
 * A connection opens with a preamble (magic, version, the sender's member uid, its cluster name); then frames
 * ({@link FrameConnection}), each the frame's number ({@code int64}) and the stream's bytes. When the connection cannot be opened or breaks, the
 * link sends its frames over Pekko remoting again ({@link RouteLink}), as a lost Artery frame would be, the peer
 * notices the gap and restarts its reading at the next frame.
 */
final class RouteStreams implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouteStreams.class);

    /** "MBRS": a meshery-broker route stream. */
    private static final int MAGIC = 0x4d425253;
    private static final int VERSION = 1;
    /** A frame's number, before its bytes. */
    private static final int FRAME_HEADER_BYTES = 8;
    private static final int MAX_NAME_BYTES = 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int PREAMBLE_TIMEOUT_MILLIS = 5_000;
    /** How long a connection may wait for the hello that makes its sender a route of this node. */
    private static final long LINK_WAIT_MILLIS = 10_000;

    private final ServerSocketChannel server;
    private final String localHost;
    private final long selfUid;
    private final String clusterName;
    private final Supplier<RouteInbound> inbounds;
    private final Map<Long, CompletableFuture<RouteLink>> links = new ConcurrentHashMap<>();
    private final Map<Long, FrameConnection> readers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RouteStreams(String bindHost, String localHost, long selfUid, String clusterName,
                         Supplier<RouteInbound> inbounds) throws IOException {
        this.localHost = localHost;
        this.selfUid = selfUid;
        this.clusterName = clusterName;
        this.inbounds = inbounds;
        // last: the acceptor thread, started here, sees every field above
        this.server = FrameConnection.listen(bindHost, "meshery-route", this::serve);
    }

    /**
     * Listens on any free port of {@code bindHost}.
     *
     * @param localHost the address outbound connections leave from (the cluster port's), or null for any
     * @param inbounds a new handler, with its own fanout, for each peer's reading thread
     */
    static RouteStreams open(String bindHost, String localHost, long selfUid, String clusterName,
                             Supplier<RouteInbound> inbounds) throws IOException {
        return new RouteStreams(bindHost, localHost, selfUid, clusterName, inbounds);
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** {@code link} is up: its peer's connection, which may have come before the hello, is read from now on. */
    void linked(RouteLink link) {
        links.computeIfAbsent(link.peer().uid(), k -> new CompletableFuture<>()).complete(link);
    }

    /** The link to {@code uid} was dropped: its incoming connection is closed. */
    void unlinked(long uid) {
        links.remove(uid);
        closeQuietly(readers.remove(uid));
    }

    /** Starts opening this node's connection to {@code link}'s peer; the link sends over it once it is open. */
    Out connect(RouteLink link, int port) {
        Out out = new Out(link, link.peer().host(), port);
        FrameConnection.daemon("meshery-route-out-" + link.peer().serverName(), out::run);
        return out;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (FrameConnection c : List.copyOf(readers.values())) {
            c.close();
        }
    }

    // ---- in ----------------------------------------------------------------------------------------------

    private void serve(SocketChannel ch) {
        String from = remote(ch);
        long uid = 0;
        try {
            ByteBuffer head = ByteBuffer.wrap(FrameConnection.readPreamble(ch, 18, PREAMBLE_TIMEOUT_MILLIS));
            int nameLen = head.getShort(16) & 0xffff;
            if (head.getInt(0) != MAGIC || head.getShort(4) != VERSION || nameLen > MAX_NAME_BYTES) {
                log.warn("Route streams: connection from {} is not a route stream of this version, closed", from);
                ch.close();
                return;
            }
            uid = head.getLong(8);
            String name = new String(FrameConnection.readPreamble(ch, nameLen, PREAMBLE_TIMEOUT_MILLIS),
                StandardCharsets.UTF_8);
            if (!name.equals(clusterName)) {
                log.warn("Route streams: connection from {} is for cluster \"{}\", not \"{}\", closed", from, name,
                    clusterName);
                ch.close();
                return;
            }
            RouteLink link = links.computeIfAbsent(uid, k -> new CompletableFuture<>())
                .get(LINK_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (link.isClosed() || closed) {
                ch.close();
                return;
            }
            Reader reader = new Reader(link, from);
            link.fedBySocket(true);
            try {
                reader.conn = FrameConnection.start(ch, FRAME_HEADER_BYTES + RouteLink.FRAME_BYTES,
                    "meshery-route-in", reader);
            } catch (IOException | RuntimeException e) {
                link.fedBySocket(false);
                throw e;
            }
            closeQuietly(readers.put(uid, reader.conn));
        } catch (TimeoutException e) {
            links.remove(uid);
            log.warn("Route streams: connection from {} closed: that node did not introduce itself within {} ms",
                from, LINK_WAIT_MILLIS);
            closeQuietly(ch);
        } catch (SocketTimeoutException e) {
            log.warn("Route streams: connection from {} sent no preamble within {} ms, closed", from,
                PREAMBLE_TIMEOUT_MILLIS);
            closeQuietly(ch);
        } catch (IOException e) {
            if (!closed) {
                log.warn("Route streams: connection from {} closed before its preamble: {}", from, e.toString());
            }
            closeQuietly(ch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(ch);
        } catch (ExecutionException | RuntimeException e) {
            log.error("Route streams: connection from {} failed: {}", from, e.toString());
            closeQuietly(ch);
        }
    }

    /** Reads one peer's frames on its connection's thread; what one read brought is delivered as one batch. */
    private final class Reader implements FrameConnection.Receiver {
        private final RouteLink link;
        private final String from;
        private final RouteInbound in = inbounds.get();
        volatile FrameConnection conn;

        Reader(RouteLink link, String from) {
            this.link = link;
            this.from = from;
            in.link = link;
        }

        @Override
        public void frame(ByteBuffer frame) {
            if (link.isClosed()) { // dropped while this connection was being set up
                throw new IllegalStateException("route closed");
            }
            long seq = frame.getLong();
            byte[] data = new byte[frame.remaining()];
            frame.get(data);
            try {
                link.readFrame(seq, data, in);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }

        @Override
        public void endOfRead() {
            in.fanout.endBatch(link, null, List.of());
        }

        @Override
        public void closed(Exception cause) {
            readers.remove(link.peer().uid(), conn);
            link.fedBySocket(false);
            if (cause != null && !closed && !link.isClosed()) {
                // as a node stops or dies: its membership decides what becomes of the route
                log.info("Route {} ({}): stream connection from {} closed: {}", link.id(), link.peer().serverName(),
                    from, cause.getMessage() == null ? cause.toString() : cause.getMessage());
            }
        }
    }

    private static String remote(SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    // ---- out ---------------------------------------------------------------------------------------------

    /**
     * This node's connection to one peer ({@link FrameConnection}: written from the caller's thread, finished by its
     * own). {@link #send} is called with the link's lock held, so frames leave in order. What waits in it is part of
     * the link's window.
     */
    final class Out implements FrameConnection.Receiver {
        private final RouteLink link;
        private final String host;
        private final int port;
        /** Null while connecting; stays null when the connection could not be opened. */
        private volatile FrameConnection conn;
        private volatile boolean connecting = true;

        private Out(RouteLink link, String host, int port) {
            this.link = link;
            this.host = host;
            this.port = port;
        }

        boolean isConnecting() {
            return connecting;
        }

        boolean isOpen() {
            FrameConnection c = conn;
            return c != null && c.isOpen();
        }

        /** Writes one frame; false when the connection is not open (the frame must go another way). */
        boolean send(long seq, byte[] chunk) {
            FrameConnection c = conn;
            return c != null && c.send(ByteBuffer.allocate(FRAME_HEADER_BYTES).putLong(seq).flip(),
                ByteBuffer.wrap(chunk));
        }

        void close() {
            connecting = false;
            FrameConnection c = conn;
            if (c != null) {
                c.close();
            }
        }

        private void run() {
            SocketChannel c = null;
            try {
                byte[] name = clusterName.getBytes(StandardCharsets.UTF_8);
                ByteBuffer pre = ByteBuffer.allocate(18 + name.length).putInt(MAGIC).putShort((short) VERSION)
                    .putShort((short) 0).putLong(selfUid).putShort((short) name.length).put(name).flip();
                c = FrameConnection.dial(localHost, host, port, CONNECT_TIMEOUT_MILLIS, pre);
                if (!connecting) { // closed meanwhile
                    c.close();
                    return;
                }
                conn = FrameConnection.start(c, FRAME_HEADER_BYTES, "meshery-route-out-" + link.peer().serverName(),
                    this);
            } catch (IOException | RuntimeException e) {
                closeQuietly(c);
                connecting = false;
                log.warn("Route {} ({}): cannot open a stream connection to {}:{} ({}); its messages go over Pekko"
                    + " remoting", link.id(), link.peer().serverName(), host, port, e.toString());
                link.flush();
                return;
            }
            connecting = false;
            log.info("Route {} to {}: messages go over a stream connection to {}:{}", link.id(),
                link.peer().serverName(), host, port);
            link.flush();
        }

        @Override
        public void frame(ByteBuffer frame) {
            throw new IllegalStateException("a route stream carries nothing back");
        }

        @Override
        public void closed(Exception cause) {
            if (cause != null && !link.isClosed()) {
                log.warn("Route {} ({}): stream connection to {}:{} lost ({}); its messages go over Pekko remoting"
                    + " until the route closes", link.id(), link.peer().serverName(), host, port,
                    cause.getMessage() == null ? cause.toString() : cause.getMessage());
                link.flush();
            }
        }
    }
}
