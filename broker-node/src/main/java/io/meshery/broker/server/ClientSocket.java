package io.meshery.broker.server;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * The socket of one client connection, between its {@link SelectorLoop} and its connection actor.
 *
 * <p><b>Reading.</b> The loop reads what the socket holds and tells the actor ({@link Read}). At most
 * {@link #MAX_QUEUED_READS} reads wait for the actor; past that the loop stops reading the socket until the actor
 * has parsed one ({@link #readDone}), so a client that sends faster than the node parses is held back by TCP.
 *
 * <p><b>Writing.</b> Whoever queued bytes in the connection's {@link Outbound} calls {@link #flush}: the actor for
 * its own replies, a publisher's actor, a route reader or the JetStream thread for deliveries. The first caller
 * writes what is queued straight into the socket, without a hand-off; a caller that finds another one writing
 * leaves it to that one. What the socket does not take at once is finished by the loop when the socket can take
 * more. Write order is the order of the buffer.
 *
 * <p><b>TLS.</b> The actor unwraps what is read ({@link #unwrap}); the writer wraps what it writes. INFO goes out in
 * plain text first, as nats-server 2.9 sends it, and the buffer is written only once the handshake is complete.
 *
 * <p><b>Closing.</b> {@link #closeWhenFlushed} writes everything still queued and then closes;
 * {@link #abort} closes at once with a reset. Either way the actor is told {@link Closed} once.
 *
 * <p>Thread-safety: {@link #onReadable} and {@link #onWritable} run on the loop; {@link #unwrap} and
 * {@link #readDone} on the actor; {@link #flush}, {@link #closeWhenFlushed} and {@link #abort} on any thread.
 */
final class ClientSocket {

    /** Reads handed to the actor and not parsed yet, past which the socket is not read. */
    static final int MAX_QUEUED_READS = 2;

    /** What the socket tells its connection actor. */
    sealed interface Event {
    }

    /** Bytes read (cipher text behind TLS: see {@link #unwrap}). */
    record Read(byte[] bytes) implements Event {
    }

    /** The client closed its sending side. */
    record InputEnded() implements Event {
    }

    /** Reading failed. */
    record ReadFailed(String reason) implements Event {
    }

    /** A write could not finish at once: the write deadline starts to count. */
    record WriteBlocked() implements Event {
    }

    /** The socket is closed; {@code failed} when a write failed. */
    record Closed(boolean failed) implements Event {
    }

    static final Event INPUT_ENDED = new InputEnded();
    static final Event WRITE_BLOCKED = new WriteBlocked();

    private static final ByteBuffer[] NO_BUFFERS = new ByteBuffer[0];
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ByteBuffer[] JUST_EMPTY = {EMPTY};

    private final SocketChannel channel;
    private final SelectorLoop loop;
    private final Outbound outbound;
    private final Tls tls;
    private volatile ActorRef owner;
    private volatile SelectionKey key;

    // reading: the loop and the actor
    private final AtomicInteger queuedReads = new AtomicInteger();
    private volatile boolean reading = true;

    // writing: whoever holds `writing`
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean writeAgain;
    private volatile boolean writeArmed;
    private ByteBuffer[] pending;
    private int pendingIndex;
    /** Plain bytes to write before anything else (INFO before a TLS handshake). */
    private ByteBuffer preface;
    private volatile long blockedSinceNanos;
    private final AtomicBoolean blockReported = new AtomicBoolean();

    private volatile boolean closeWhenFlushed;
    private final AtomicBoolean closed = new AtomicBoolean();

    ClientSocket(SocketChannel channel, SelectorLoop loop, Outbound outbound, SSLEngine engine, TlsHandshake handshake,
                 byte[] plainPreface) {
        this.channel = channel;
        this.loop = loop;
        this.outbound = outbound;
        this.tls = engine == null ? null : new Tls(engine, handshake);
        this.preface = plainPreface == null ? null : ByteBuffer.wrap(plainPreface);
    }

    /** Starts reading for {@code actor}, the connection's actor, from its start: registers the socket with its loop. */
    void start(ActorRef actor) {
        this.owner = actor;
        loop.execute(() -> {
            try {
                key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
                if (writeArmed) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                }
            } catch (ClosedChannelException e) {
                // closed before it was registered: the actor has been told
            }
        });
        if (tls != null) {
            tls.begin();
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------

    /** On the loop: the socket is readable. */
    void onReadable(ByteBuffer buffer) {
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            stopReadingNow();
            owner.tell(new ReadFailed(message(e)), ActorRef.noSender());
            return;
        }
        if (n < 0) {
            stopReadingNow();
            owner.tell(INPUT_ENDED, ActorRef.noSender());
            return;
        }
        if (n == 0) {
            return;
        }
        buffer.flip();
        byte[] bytes = new byte[n];
        buffer.get(bytes);
        if (queuedReads.incrementAndGet() >= MAX_QUEUED_READS) {
            setInterest(SelectionKey.OP_READ, false);
        }
        owner.tell(new Read(bytes), ActorRef.noSender());
    }

    /** On the actor: one {@link Read} is parsed; the socket is read again if it was held back for it. */
    void readDone() {
        if (queuedReads.getAndDecrement() == MAX_QUEUED_READS) {
            loop.execute(() -> {
                if (reading && queuedReads.get() < MAX_QUEUED_READS) {
                    setInterest(SelectionKey.OP_READ, true);
                }
            });
        }
    }

    /** Reads no more (the connection is closing). */
    void stopReading() {
        reading = false;
        loop.execute(this::stopReadingNow);
    }

    private void stopReadingNow() {
        reading = false;
        setInterest(SelectionKey.OP_READ, false);
    }

    /** On the loop. */
    private void setInterest(int op, boolean on) {
        SelectionKey k = key;
        if (k == null || !k.isValid()) {
            return;
        }
        try {
            int ops = k.interestOps();
            int next = on ? ops | op : ops & ~op;
            if (next != ops) {
                k.interestOps(next);
            }
        } catch (CancelledKeyException e) {
            // closed meanwhile
        }
    }

    /**
     * On the actor, behind TLS: the plain text in {@code cipher} (possibly none, for handshake records). Handshake
     * answers the engine has to send are written.
     *
     * @return the plain bytes, or {@code null} when the client ended the TLS session (close_notify)
     * @throws SSLException when the records are bad or the handshake fails
     */
    byte[] unwrap(byte[] cipher) throws SSLException {
        return tls.unwrap(cipher);
    }

    boolean isTls() {
        return tls != null;
    }

    // ---- writing ----------------------------------------------------------------------------------------

    /** From any thread: writes what the outbound buffer holds, now if the socket takes it, else when it can. */
    void flush() {
        writeAgain = true;
        while (writeAgain && !writeArmed && writing.compareAndSet(false, true)) {
            try {
                writeAgain = false;
                writeSome();
            } finally {
                writing.set(false);
            }
        }
    }

    /** On the loop: the socket takes more. */
    void onWritable() {
        setInterest(SelectionKey.OP_WRITE, false);
        writeArmed = false;
        flush();
    }

    /**
     * When a write has waited for the socket since this time ({@link System#nanoTime}), without progress; 0 when no
     * write waits. Calling it also allows the next {@link WriteBlocked}.
     */
    long blockedSinceNanos() {
        blockReported.set(false);
        long since = blockedSinceNanos;
        if (since != 0) {
            blockReported.set(true);
        }
        return since;
    }

    /** Holding {@link #writing}. */
    private void writeSome() {
        try {
            while (!closed.get()) {
                if (pending == null && !nextPending()) {
                    if (closeWhenFlushed) {
                        if (tls != null) {
                            tls.closeOutbound();
                        }
                        close(false, false);
                    }
                    return;
                }
                long n = channel.write(pending, pendingIndex, pending.length - pendingIndex);
                while (pendingIndex < pending.length && !pending[pendingIndex].hasRemaining()) {
                    pendingIndex++;
                }
                if (pendingIndex < pending.length) {
                    long now = System.nanoTime();
                    if (n > 0 || blockedSinceNanos == 0) {
                        blockedSinceNanos = now;
                    }
                    writeArmed = true;
                    loop.execute(() -> setInterest(SelectionKey.OP_WRITE, true));
                    if (blockReported.compareAndSet(false, true)) {
                        owner.tell(WRITE_BLOCKED, ActorRef.noSender());
                    }
                    return;
                }
                blockedSinceNanos = 0;
                pending = null;
                Outbound.wake(outbound.writeCompleted(System.nanoTime())); // nothing to do after INFO or handshake bytes
            }
        } catch (IOException e) {
            close(true, true);
        }
    }

    /** Holding {@link #writing}: the next bytes to write, if any. */
    private boolean nextPending() throws IOException {
        pendingIndex = 0;
        if (preface != null) {
            pending = new ByteBuffer[] {preface};
            preface = null;
            return true;
        }
        if (tls != null) {
            return tls.nextPending();
        }
        ByteString bytes = outbound.drain();
        if (bytes == null) {
            return false;
        }
        pending = buffers(bytes);
        return true;
    }

    private static ByteBuffer[] buffers(ByteString bytes) {
        List<ByteBuffer> list = new ArrayList<>(2);
        for (ByteBuffer b : bytes.getByteBuffers()) {
            list.add(b);
        }
        return list.toArray(NO_BUFFERS);
    }

    // ---- closing ----------------------------------------------------------------------------------------

    /** From any thread: writes everything still queued (the buffer takes no more), then closes. */
    void closeWhenFlushed() {
        closeWhenFlushed = true;
        flush();
    }

    /** From any thread: closes at once, with a reset, dropping what is queued. */
    void abort() {
        close(true, false);
    }

    boolean isClosed() {
        return closed.get();
    }

    private void close(boolean reset, boolean failed) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reading = false;
        try {
            if (reset) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
        // a registered channel's descriptor is released by its selector: let it see the key cancelled now
        loop.execute(() -> { });
        owner.tell(new Closed(failed), ActorRef.noSender());
    }

    private static String message(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The TLS engine of the connection. Unwrapping runs on the actor; wrapping in {@link #nextPending}, holding
     * {@link #writing}. The engine serialises the two itself.
     */
    private final class Tls {

        private final SSLEngine engine;
        private final TlsHandshake handshake;
        /** Actor side: cipher text read and not yet unwrapped, and the plain text unwrapped; in write mode. */
        private ByteBuffer netIn;
        private ByteBuffer appIn;
        /** Writer side: cipher text made by the last wrap; reused once written. */
        private ByteBuffer netOut;
        private volatile boolean handshakeDone;
        private volatile boolean needsWrap;
        private boolean outboundClosed;

        Tls(SSLEngine engine, TlsHandshake handshake) {
            this.engine = engine;
            this.handshake = handshake;
            this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        }

        void begin() {
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                handshake.failed(e.getMessage());
                abort();
            }
        }

        byte[] unwrap(byte[] cipher) throws SSLException {
            netIn = ensure(netIn, cipher.length);
            netIn.put(cipher);
            boolean wasDone = handshakeDone;
            boolean ended = false;
            boolean underflow = false;
            netIn.flip(); // read mode while the records are taken out; compacted once afterwards, not per record
            try {
                while (true) {
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    afterEngine(result.getHandshakeStatus());
                    SSLEngineResult.Status status = result.getStatus();
                    if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        appIn = ensure(appIn, Math.max(engine.getSession().getApplicationBufferSize(), appIn.capacity()));
                        continue;
                    }
                    if (status == SSLEngineResult.Status.CLOSED) {
                        ended = true;
                        break;
                    }
                    if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        underflow = true;
                        break;
                    }
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                        break;
                    }
                    // BoringSSL's engine takes a handshake record in and moves the handshake on at its next call:
                    // after the peer's Finished, one more (empty) unwrap is what reports the handshake finished
                    if (!netIn.hasRemaining() && handshakeDone) {
                        break;
                    }
                }
            } finally {
                netIn.compact();
            }
            if (underflow) {
                netIn = ensure(netIn, engine.getSession().getPacketBufferSize());
            }
            if (needsWrap || handshakeDone != wasDone) {
                flush();
            }
            appIn.flip();
            byte[] plain = new byte[appIn.remaining()];
            appIn.get(plain);
            appIn = emptied(appIn, engine.getSession().getApplicationBufferSize());
            if (netIn.position() == 0) {
                netIn = emptied(netIn, engine.getSession().getPacketBufferSize());
            }
            if (ended && plain.length == 0) {
                return null;
            }
            return plain;
        }

        /** Runs delegated tasks, notes handshake messages to send, and a finished handshake. */
        private void afterEngine(HandshakeStatus status) {
            HandshakeStatus s = status;
            while (true) {
                if (s == HandshakeStatus.FINISHED) {
                    finished();
                    s = engine.getHandshakeStatus();
                } else if (s == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    s = engine.getHandshakeStatus();
                } else if (s == HandshakeStatus.NEED_WRAP) {
                    needsWrap = true;
                    return;
                } else {
                    if (s == HandshakeStatus.NOT_HANDSHAKING && !handshakeDone && engine.getSession().isValid()
                            && !"SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite())) {
                        finished();
                    }
                    return;
                }
            }
        }

        private void finished() {
            if (handshakeDone) {
                return;
            }
            handshakeDone = true;
            handshake.completed(engine.getSession());
            writeAgain = true; // what was queued during the handshake goes out now
        }

        /** Holding {@link #writing}: wraps handshake messages, or once the handshake is done, what is queued. */
        boolean nextPending() throws SSLException {
            netOut.clear();
            if (needsWrap || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                needsWrap = false;
                wrap(JUST_EMPTY);
            }
            if (netOut.position() == 0 && handshakeDone && !outboundClosed) {
                ByteString bytes = outbound.drain();
                if (bytes != null) {
                    wrap(buffers(bytes));
                }
            }
            if (netOut.position() == 0) {
                return false;
            }
            netOut.flip();
            pending = new ByteBuffer[] {netOut};
            return true;
        }

        private void wrap(ByteBuffer[] plain) throws SSLException {
            while (true) {
                SSLEngineResult result = engine.wrap(plain, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = ensure(netOut, Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity()));
                    continue;
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
                afterEngine(result.getHandshakeStatus());
                boolean handshakeMore = needsWrap;
                needsWrap = false;
                if (!handshakeMore && (!hasRemaining(plain) || result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
                    return;
                }
            }
        }

        /** Holding {@link #writing}, everything written: close_notify, written if the socket takes it now. */
        void closeOutbound() {
            if (outboundClosed) {
                return;
            }
            outboundClosed = true;
            engine.closeOutbound();
            try {
                netOut.clear();
                while (!engine.isOutboundDone()) {
                    SSLEngineResult result = engine.wrap(EMPTY, netOut);
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        netOut = ensure(netOut, netOut.capacity());
                        continue;
                    }
                    if (result.bytesProduced() == 0) {
                        break;
                    }
                }
                netOut.flip();
                channel.write(netOut);
            } catch (IOException e) {
                // closing without close_notify
            }
        }

        private boolean hasRemaining(ByteBuffer[] buffers) {
            for (ByteBuffer b : buffers) {
                if (b.hasRemaining()) {
                    return true;
                }
            }
            return false;
        }

        /**
         * {@code buffer} cleared; one grown past four times {@code usual} bytes (a large read went through) is given
         * back for one of the usual size, so that an idle connection does not keep it.
         */
        private ByteBuffer emptied(ByteBuffer buffer, int usual) {
            if (buffer.capacity() > 4 * usual) {
                return ByteBuffer.allocate(usual);
            }
            buffer.clear();
            return buffer;
        }

        /** {@code buffer} (in write mode) with room for {@code more} bytes. */
        private ByteBuffer ensure(ByteBuffer buffer, int more) {
            if (buffer.remaining() >= more) {
                return buffer;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            bigger.put(buffer);
            return bigger;
        }
    }
}
