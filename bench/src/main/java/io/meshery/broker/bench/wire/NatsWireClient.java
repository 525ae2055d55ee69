package io.meshery.broker.bench.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One NATS client connection over a blocking {@link SocketChannel}, speaking just enough of the protocol to generate
 * load: the handshake, {@code SUB}, raw writes of pre-encoded frames, {@code PING}/{@code PONG} flushes and a read
 * step that feeds a {@link FrameScanner}.
 *
 * <p>{@link #connect} completes the handshake the way official clients do: read {@code INFO}, send
 * {@code CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}} and {@code PING}, wait for
 * {@code PONG}. A server {@code PING} is answered after the read that delivered it. A {@code -ERR} fails the next
 * read with a {@link NatsProtocolException}.
 *
 * <p>Reads go through the channel's socket adaptor stream, which is the same blocking read but honours
 * {@code SO_TIMEOUT}: the handshake and {@link #flush} give up after a timeout instead of hanging on a server that
 * does not answer, and {@link #setReadTimeout} bounds the reads of a caller that waits for a reply.
 *
 * <p>Thread-safety: one owning thread reads and writes. {@link #close} may be called from any thread (a watchdog
 * uses it to unblock a stuck owner); after that the owner's blocked call fails and {@link #closedByClient} is true.
 */
public final class NatsWireClient implements AutoCloseable {

    private static final byte[] CONNECT = ("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,"
            + "\"protocol\":1}\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);

    /** How long the handshake may take. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a {@code PING} may wait for its {@code PONG}. */
    public static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final SocketChannel channel;
    private final InputStream stream;
    private final byte[] buf;
    /** Bytes at the start of {@link #buf} kept from the previous read: an incomplete control line. */
    private int carried;
    private final FrameScanner scanner = new FrameScanner();
    private long pingsAnswered;
    private volatile boolean closedByClient;

    private NatsWireClient(String name, SocketChannel channel, int readBufferBytes) throws IOException {
        this.name = name;
        this.channel = channel;
        this.stream = channel.socket().getInputStream();
        this.buf = new byte[Math.max(readBufferBytes, 4096)];
    }

    /**
     * Opens a connection and completes the handshake.
     *
     * @param readBufferBytes size of the read buffer: large for subscribers (fewer reads), small for idle connections
     */
    public static NatsWireClient connect(InetSocketAddress server, String name, int readBufferBytes)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(server);
            NatsWireClient client = new NatsWireClient(name, channel, readBufferBytes);
            client.handshake();
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void handshake() throws IOException {
        setReadTimeout(HANDSHAKE_TIMEOUT);
        try {
            while (scanner.infos() == 0) {
                readOrFail(FrameScanner.IGNORE);
            }
            send(CONNECT);
            awaitPongs(1, FrameScanner.IGNORE);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException(name + ": handshake (INFO, CONNECT, PING, PONG) took over "
                    + HANDSHAKE_TIMEOUT.toSeconds() + " s");
        }
        setReadTimeout(Duration.ZERO);
    }

    /**
     * Bounds each following {@link #read}: a read that waits longer fails with
     * {@link java.net.SocketTimeoutException}. {@link Duration#ZERO} waits forever.
     */
    public void setReadTimeout(Duration timeout) throws IOException {
        channel.socket().setSoTimeout(Math.toIntExact(timeout.toMillis()));
    }

    /** The connection's name, for reports. */
    public String name() {
        return name;
    }

    /** Writes all of {@code frames} (position to limit). */
    public void send(ByteBuffer frames) throws IOException {
        while (frames.hasRemaining()) {
            channel.write(frames);
        }
    }

    /** Writes all of {@code frames}. */
    public void send(byte[] frames) throws IOException {
        send(ByteBuffer.wrap(frames));
    }

    /** Writes {@code frames[0, length)}. */
    public void send(byte[] frames, int length) throws IOException {
        send(ByteBuffer.wrap(frames, 0, length));
    }

    /** Sends {@code SUB subject [queue] sid}; pair it with {@link #flush} to know the interest is in place. */
    public void subscribe(String subject, String queue, int sid) throws IOException {
        String line = queue == null
                ? "SUB " + subject + " " + sid + "\r\n"
                : "SUB " + subject + " " + queue + " " + sid + "\r\n";
        send(line.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Sends {@code PING} and reads until the matching {@code PONG}: every frame sent before has been processed by
     * the server. Messages that arrive meanwhile are passed to {@code handler}. Fails after {@link #FLUSH_TIMEOUT}.
     */
    public void flush(FrameScanner.MsgHandler handler) throws IOException {
        long target = scanner.pongs() + 1;
        send(PING);
        setReadTimeout(FLUSH_TIMEOUT);
        try {
            awaitPongs(target, handler);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException(name + ": no PONG within " + FLUSH_TIMEOUT);
        } finally {
            setReadTimeout(Duration.ZERO);
        }
    }

    /** {@link #flush(FrameScanner.MsgHandler)} on a connection that expects no messages. */
    public void flush() throws IOException {
        flush(FrameScanner.IGNORE);
    }

    private void awaitPongs(long target, FrameScanner.MsgHandler handler) throws IOException {
        while (scanner.pongs() < target) {
            readOrFail(handler);
        }
    }

    private void readOrFail(FrameScanner.MsgHandler handler) throws IOException {
        if (read(handler) < 0) {
            throw new EOFException(name + ": server closed the connection");
        }
    }

    /**
     * Blocks for one read, scans what arrived and answers any server {@code PING}.
     *
     * @return bytes read, or -1 when the server closed the connection
     * @throws NatsProtocolException on a malformed frame or a {@code -ERR} from the server
     */
    public int read(FrameScanner.MsgHandler handler) throws IOException {
        if (carried == buf.length) {
            throw new NatsProtocolException(name + ": control line does not fit the read buffer");
        }
        int n = stream.read(buf, carried, buf.length - carried);
        if (n < 0) {
            return -1;
        }
        int filled = carried + n;
        int consumed = scanner.scan(buf, 0, filled, handler);
        carried = filled - consumed;
        if (carried > 0) {
            System.arraycopy(buf, consumed, buf, 0, carried);
        }
        if (scanner.errors() > 0) {
            throw new NatsProtocolException(name + ": server sent " + scanner.firstError());
        }
        while (pingsAnswered < scanner.pings()) {
            send(PONG);
            pingsAnswered++;
        }
        return n;
    }

    /** Messages received in full so far. Only the owning thread may call this. */
    public long messagesCompleted() {
        return scanner.messagesCompleted();
    }

    /** True once {@link #close} was called: a failing read after that is ours, not the server's. */
    public boolean closedByClient() {
        return closedByClient;
    }

    /** Closes the socket; safe from any thread and more than once. */
    @Override
    public void close() {
        closedByClient = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket we are abandoning; nothing to report
        }
    }
}
