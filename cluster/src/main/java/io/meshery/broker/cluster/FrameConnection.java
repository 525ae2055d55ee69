package io.meshery.broker.cluster;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between two nodes that carries length-prefixed frames both ways: {@link #send} writes from the
 * caller's thread without blocking (what the socket does not take at once is queued and finished by the
 * connection's own thread), and that thread reads the other end's frames and hands each to the {@link Receiver}.
 * Used by the routes ({@link RouteStreams}) and the Raft transport; closing it, or the other end going away, ends
 * the thread and calls {@link Receiver#closed} once.
 *
 * <p>Also what both need around a connection: {@link #listen} on any free port with a thread per accepted
 * connection, {@link #dial} with a preamble, {@link #readPreamble} with a timeout.
 */
public final class FrameConnection implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(FrameConnection.class);

    /** What the connection's thread does with what it reads. */
    public interface Receiver {
        /** One frame: {@code frame} holds exactly its bytes (the length prefix removed); valid during the call. */
        void frame(ByteBuffer frame);

        /** The frames of one read were all handed over (a point to act on them as a batch). */
        default void endOfRead() {
        }

        /** The connection ended ({@code cause} null when closed here). Called once, on the connection's thread. */
        void closed(Exception cause);
    }

    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final SocketChannel ch;
    private final Selector selector;
    private final SelectionKey key;
    private final int maxFrameBytes;
    private final Object lock = new Object();
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final ByteBuffer[] pair = new ByteBuffer[2];
    private volatile boolean open = true;
    private Receiver receiver;

    private FrameConnection(SocketChannel ch, Selector selector, SelectionKey key, int maxFrameBytes) {
        this.ch = ch;
        this.selector = selector;
        this.key = key;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Takes over a connected channel (whatever preamble it needed already exchanged in blocking mode) and starts its
     * thread, named {@code threadName}.
     */
    public static FrameConnection start(SocketChannel ch, int maxFrameBytes, String threadName, Receiver receiver)
            throws IOException {
        ch.configureBlocking(false);
        Selector selector = Selector.open();
        SelectionKey key;
        try {
            key = ch.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        FrameConnection c = new FrameConnection(ch, selector, key, maxFrameBytes);
        c.receiver = receiver;
        daemon(threadName, c::run);
        return c;
    }

    /**
     * Listens on any free port of {@code bindHost}; each connection accepted is handed to {@code serve} on a thread
     * of its own ({@code name}-in), by an acceptor thread ({@code name}-accept) that stops when the channel closes.
     */
    public static ServerSocketChannel listen(String bindHost, String name, Consumer<SocketChannel> serve)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(bindHost, 0));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        daemon(name + "-accept", () -> {
            while (server.isOpen()) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    if (server.isOpen()) {
                        log.error("{}: no longer accepting connections: {}", name, e.toString());
                    }
                    return;
                }
                daemon(name + "-in", () -> serve.accept(ch));
            }
        });
        return server;
    }

    /**
     * Connects to {@code host:port} (from {@code localHost}, or any address when it is null) within
     * {@code timeoutMillis} and writes {@code preamble}, blocking; the channel is then ready for {@link #start}.
     */
    public static SocketChannel dial(String localHost, String host, int port, int timeoutMillis, ByteBuffer preamble)
            throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            if (localHost != null) {
                ch.bind(new InetSocketAddress(localHost, 0));
            }
            ch.socket().setTcpNoDelay(true);
            ch.socket().connect(new InetSocketAddress(host, port), timeoutMillis);
            while (preamble.hasRemaining()) {
                ch.write(preamble);
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Reads the next {@code n} bytes of an accepted connection's preamble, waiting at most {@code timeoutMillis}
     * (through the socket's stream, which honours a timeout where the channel would not), so a connection that
     * never sends one does not keep a thread.
     *
     * @throws java.net.SocketTimeoutException when they do not come in time
     */
    public static byte[] readPreamble(SocketChannel ch, int n, int timeoutMillis) throws IOException {
        ch.socket().setTcpNoDelay(true);
        ch.socket().setSoTimeout(timeoutMillis);
        byte[] b = ch.socket().getInputStream().readNBytes(n);
        ch.socket().setSoTimeout(0);
        if (b.length < n) {
            throw new EOFException("closed by the other end");
        }
        return b;
    }

    /** Starts {@code task} on a daemon thread named {@code name}. */
    public static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    /** Closes {@code c} (when not null), ignoring a failure to. */
    public static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * Sends one frame: a 4-byte length, then {@code head} and {@code body} (either may be empty). False when the
     * connection is closed; the frame is then not sent.
     */
    public boolean send(ByteBuffer head, ByteBuffer body) {
        int len = head.remaining() + body.remaining();
        ByteBuffer first = ByteBuffer.allocate(4 + head.remaining()).putInt(len).put(head).flip();
        synchronized (lock) {
            if (!open) {
                return false;
            }
            try {
                if (pending.isEmpty()) {
                    pair[0] = first;
                    pair[1] = body;
                    ch.write(pair);
                    if (!body.hasRemaining()) {
                        return true;
                    }
                }
                if (first.hasRemaining()) {
                    pending.add(first);
                }
                pending.add(body);
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                selector.wakeup();
                return true;
            } catch (IOException | CancelledKeyException e) {
                closeLocked();
                return false;
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closeLocked();
        }
    }

    private void closeLocked() {
        open = false;
        pending.clear();
        closeQuietly(selector);
        closeQuietly(ch);
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(READ_BUFFER_BYTES);
        Exception cause = null;
        try {
            while (open) {
                selector.select();
                if (!open) {
                    break;
                }
                if (key.isWritable()) {
                    finishWrites();
                }
                if (key.isReadable()) {
                    int n = ch.read(buf);
                    if (n < 0) {
                        throw new IOException("closed by the other end");
                    }
                    buf = deliver(buf);
                }
            }
        } catch (IOException | RuntimeException e) {
            cause = open ? e : null;
        } finally {
            close();
            receiver.closed(cause);
        }
    }

    private void finishWrites() throws IOException {
        synchronized (lock) {
            while (!pending.isEmpty()) {
                ByteBuffer b = pending.peekFirst();
                ch.write(b);
                if (b.hasRemaining()) {
                    return;
                }
                pending.pollFirst();
            }
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Hands every whole frame in {@code buf} to the receiver; returns the buffer to read on into. */
    private ByteBuffer deliver(ByteBuffer buf) throws IOException {
        buf.flip();
        boolean any = false;
        while (buf.remaining() >= 4) {
            int len = buf.getInt(buf.position());
            if (len < 0 || len > maxFrameBytes) {
                throw new IOException("frame of " + len + " bytes (at most " + maxFrameBytes + ")");
            }
            if (buf.remaining() < 4 + len) {
                break;
            }
            int end = buf.position() + 4 + len;
            ByteBuffer frame = buf.duplicate().position(buf.position() + 4).limit(end).slice();
            receiver.frame(frame);
            buf.position(end);
            any = true;
        }
        if (any) {
            receiver.endOfRead();
        }
        if (buf.remaining() > 0 && buf.position() == 0 && buf.limit() == buf.capacity()) {
            // one frame larger than the buffer: grow it to hold the frame
            int len = buf.getInt(0);
            ByteBuffer bigger = ByteBuffer.allocate(4 + len);
            bigger.put(buf);
            return bigger;
        }
        buf.compact();
        if (buf.capacity() > READ_BUFFER_BYTES && buf.position() == 0) {
            return ByteBuffer.allocate(READ_BUFFER_BYTES);
        }
        return buf;
    }
}
