package io.meshery.broker.server;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * TLS for one client connection, driven in the connection's own stream island: the {@link SSLEngine} unwraps what
 * the socket delivers and wraps what the connection writes, in the same actor as the connection's logic. (Pekko's
 * {@code TLS} stage runs the engine in an actor of its own: a hand-off per record each way, which cost a third of
 * the TLS throughput.)
 *
 * <pre>
 *   cipherIn  (socket)      ──► unwrap ──► plainOut (connection)
 *   cipherOut (socket)      ◄──  wrap  ◄── plainIn  (connection)
 * </pre>
 *
 * The handshake runs first; what the connection writes is taken only once it is complete. Delegated tasks run in
 * place. The session is reported to {@link TlsHandshake} when the engine says the handshake is finished. An
 * {@link SSLException} fails {@code plainOut} (the connection logs it as a handshake error while the handshake is
 * not complete) and closes the socket. When the connection completes its output, what it wrote goes out, then the
 * engine's close_notify, and the socket is closed; when the socket's input ends, the connection's input ends. A
 * connection that stops reading (it is closing) keeps its output until it completes it.
 */
final class TlsStage extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {

    private final Inlet<ByteString> cipherIn = Inlet.create("TlsStage.cipherIn");
    private final Outlet<ByteString> plainOut = Outlet.create("TlsStage.plainOut");
    private final Inlet<ByteString> plainIn = Inlet.create("TlsStage.plainIn");
    private final Outlet<ByteString> cipherOut = Outlet.create("TlsStage.cipherOut");
    private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
        BidiShape.of(cipherIn, plainOut, plainIn, cipherOut);
    private final SSLEngine engine;
    private final TlsHandshake handshake;

    TlsStage(SSLEngine engine, TlsHandshake handshake) {
        this.engine = engine;
        this.handshake = handshake;
    }

    @Override
    public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Logic();
    }

    private final class Logic extends GraphStageLogic {

        private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
        /** Cipher text wrapped from one large write goes out in pieces of about this size. */
        private static final int FLUSH_BYTES = 256 * 1024;

        /** Cipher text received and not yet unwrapped; in write mode. */
        private ByteBuffer netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        /** Plain text unwrapped; in write mode. */
        private ByteBuffer appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        /** Cipher text wrapped; in write mode. */
        private ByteBuffer netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        private boolean handshakeDone;
        private boolean outboundClosed;

        Logic() {
            super(shape);
            setHandler(cipherIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ByteString bytes = grab(cipherIn);
                    netIn = ensure(netIn, bytes.size());
                    bytes.copyToBuffer(netIn);
                    unwrapAll();
                }

                @Override
                public void onUpstreamFinish() {
                    try {
                        engine.closeInbound();
                    } catch (SSLException e) {
                        // the peer went away without close_notify: as a plain socket closing
                    }
                    completeStage();
                }
            });
            setHandler(plainOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    pullCipher();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    // the connection reads no more but may still be writing (an -ERR before it closes): records
                    // that still arrive are unwrapped and dropped until it completes its output
                    pullCipher();
                }
            });
            setHandler(plainIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    wrap(grab(plainIn).asByteBuffer()); // pulled only once the handshake is done
                    flushCipher(() -> pullPlain());
                }

                @Override
                public void onUpstreamFinish() {
                    closeOutbound();
                }
            });
            setHandler(cipherOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    // written through emit, which waits for demand itself
                }
            });
        }

        @Override
        public void preStart() {
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                failWith(e);
                return;
            }
            pull(cipherIn);
        }

        private void pullCipher() {
            if (!hasBeenPulled(cipherIn) && !isClosed(cipherIn)) {
                pull(cipherIn);
            }
        }

        private void pullPlain() {
            if (handshakeDone && !outboundClosed && !hasBeenPulled(plainIn) && !isClosed(plainIn)) {
                pull(plainIn);
            }
        }

        /** Unwraps all complete records received, answering handshake messages; then asks for more. */
        private void unwrapAll() {
            try {
                while (true) {
                    netIn.flip();
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    netIn.compact();
                    afterEngine(result.getHandshakeStatus());
                    SSLEngineResult.Status status = result.getStatus();
                    if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                        continue;
                    }
                    if (status == SSLEngineResult.Status.CLOSED) {
                        deliverPlain();
                        closeOutbound();
                        return;
                    }
                    if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        netIn = ensure(netIn, engine.getSession().getPacketBufferSize());
                        break;
                    }
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                        break;
                    }
                    // BoringSSL's engine takes a handshake record in and moves the handshake on at its next call:
                    // after the peer's Finished, one more (empty) unwrap is what reports the handshake finished
                    if (netIn.position() == 0 && handshakeDone) {
                        break;
                    }
                }
            } catch (SSLException e) {
                failWith(e);
                return;
            }
            if (netIn.position() == 0) {
                netIn = reset(netIn, engine.getSession().getPacketBufferSize());
            }
            deliverPlain();
        }

        /** Hands the plain text unwrapped so far to the connection, then reads on. */
        private void deliverPlain() {
            if (isClosed(plainOut)) {
                appIn.clear();
                pullCipher();
            } else if (appIn.position() > 0) {
                appIn.flip();
                ByteString plain = ByteString.fromByteBuffer(appIn);
                appIn = reset(appIn, engine.getSession().getApplicationBufferSize());
                emit(plainOut, plain, this::pullCipher);
            } else if (isAvailable(plainOut)) {
                pullCipher();
            }
        }

        /** Runs delegated tasks, wraps handshake messages the engine has to send, and notes a finished handshake. */
        private void afterEngine(HandshakeStatus status) throws SSLException {
            HandshakeStatus s = status;
            while (true) {
                if (s == HandshakeStatus.FINISHED) {
                    handshakeFinished();
                    s = engine.getHandshakeStatus();
                } else if (s == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    s = engine.getHandshakeStatus();
                } else if (s == HandshakeStatus.NEED_WRAP) {
                    s = wrapOnce(EMPTY);
                    flushCipher(() -> { });
                    if (engine.isOutboundDone()) {
                        return;
                    }
                } else {
                    if (s == HandshakeStatus.NOT_HANDSHAKING && !handshakeDone && engine.getSession().isValid()
                            && !"SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite())) {
                        handshakeFinished();
                    }
                    return;
                }
            }
        }

        private void handshakeFinished() {
            if (handshakeDone) {
                return;
            }
            handshakeDone = true;
            handshake.completed(engine.getSession());
            pullPlain();
        }

        /** Wraps all of {@code plain}; the records go out with the next {@link #flushCipher}. */
        private void wrap(ByteBuffer plain) {
            try {
                do {
                    afterEngine(wrapOnce(plain));
                    if (netOut.position() >= FLUSH_BYTES) {
                        flushCipher(() -> { });
                    }
                } while (plain.hasRemaining() && !engine.isOutboundDone());
            } catch (SSLException e) {
                failWith(e);
            }
        }

        private HandshakeStatus wrapOnce(ByteBuffer plain) throws SSLException {
            while (true) {
                SSLEngineResult result = engine.wrap(plain, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = grow(netOut, engine.getSession().getPacketBufferSize());
                    continue;
                }
                return result.getHandshakeStatus();
            }
        }

        private void flushCipher(Runnable andThen) {
            if (netOut.position() == 0) {
                andThen.run();
                return;
            }
            netOut.flip();
            ByteString cipher = ByteString.fromByteBuffer(netOut);
            netOut = reset(netOut, engine.getSession().getPacketBufferSize());
            if (isClosed(cipherOut)) {
                return;
            }
            emit(cipherOut, cipher, andThen::run);
        }

        /** The connection is done writing: close_notify goes out, then the socket closes. */
        private void closeOutbound() {
            if (outboundClosed) {
                return;
            }
            outboundClosed = true;
            engine.closeOutbound();
            try {
                while (!engine.isOutboundDone()) {
                    HandshakeStatus s = wrapOnce(EMPTY);
                    if (s != HandshakeStatus.NEED_WRAP && netOut.position() == 0) {
                        break;
                    }
                }
            } catch (SSLException e) {
                // the close_notify could not be made: close without it
            }
            netOut.flip();
            ByteString last = ByteString.fromByteBuffer(netOut);
            netOut.clear();
            if (last.nonEmpty() && !isClosed(cipherOut)) {
                emit(cipherOut, last, this::completeStage);
            } else {
                completeStage();
            }
        }

        private void failWith(SSLException e) {
            if (!isClosed(plainOut)) {
                fail(plainOut, e);
            }
            if (!isClosed(cipherOut)) {
                complete(cipherOut);
            }
            cancel(cipherIn);
            cancel(plainIn);
        }

        /**
         * {@code buffer} emptied; a buffer grown past four times {@code usual} bytes (a large message went through)
         * is given back for one of the usual size, so that a connection does not keep it.
         */
        private ByteBuffer reset(ByteBuffer buffer, int usual) {
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

        private ByteBuffer grow(ByteBuffer buffer, int atLeast) {
            return ensure(buffer, Math.max(atLeast, buffer.capacity()));
        }
    }
}
