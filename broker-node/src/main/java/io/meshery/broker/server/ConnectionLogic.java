package io.meshery.broker.server;

import io.meshery.broker.logging.LogSetup;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport half of a client connection: reading (with the pauses the protocol asks for and the holds of
 * flow control), writing out the connection's {@link Outbound}, the write deadline, the signals other threads
 * send, and closing. What the bytes mean is {@link ClientConnection.Client}'s job, through the abstract methods.
 *
 * <p>Input: each read chunk is handed to {@link #parse} until it is used up, the protocol pauses (a SUB waiting
 * for its shard, a credentials check), or the chunk's publishes left a receiver backlogged ({@link #endBatch}
 * returns the receivers to wait for). Only then is the next chunk read. When the client closes its side, what it
 * sent before is still processed, then the connection closes, as nats-server does.
 *
 * <p>Everything here runs on the connection's own stream actor, except {@link #receiverDrained} and
 * {@link #requestClose}, which only send signals.
 */
abstract class ConnectionLogic extends TimerGraphStageLogic implements FlowWaiter {

    static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /** Protocol trace has its own logger so that {@code -V} and {@code -D} stay independent, as in nats-server. */
    static final Logger traceLog = LoggerFactory.getLogger(LogSetup.TRACE_LOGGER);

    private static final String TIMER_WRITE_DEADLINE = "write-deadline";
    private static final String TIMER_STALL = "stall";
    /** While held back, a publisher looks at its receivers this often even when none has woken it. */
    private static final Duration STALL_RECHECK = Duration.ofMillis(100);

    final Server server;
    final ServerSettings settings;
    final String logPrefix;
    final Outbound outbound;
    final AsyncCallback<ConnectionSignal> signal = createAsyncCallback(this::onSignal);
    /** Protocol tracing ({@code -V}), decided once per connection so the hot path pays one branch. */
    final boolean trace = traceLog.isTraceEnabled();
    private final Inlet<ByteString> in;
    private final Outlet<ByteString> out;
    private final TlsHandshake tls;

    /** Input not parsed yet: the protocol paused, or the connection waits for a receiver; the rest waits here. */
    private byte[] inBuf;
    private int inOff;
    private int inLen;
    /** The client closed its sending side; what it sent before is still processed, then the connection closes. */
    private boolean inputEnded;

    /** Flow control: receivers this connection waits for before it reads more (docs/architecture.md). */
    private final List<Subscriber> blockers = new ArrayList<>();
    private boolean stalled;
    private final AtomicBoolean drainedSignalled = new AtomicBoolean();

    private final AtomicBoolean slow = new AtomicBoolean();
    volatile long lastActivityNanos = System.nanoTime();
    private long lastPushNanos;
    private boolean writeDeadlineArmed;
    boolean closing;
    volatile CloseReason closeReason;

    ConnectionLogic(FlowShape<ByteString, ByteString> shape, Server server, String logPrefix, TlsHandshake tls) {
        super(shape);
        this.in = shape.in();
        this.out = shape.out();
        this.server = server;
        this.settings = server.settings();
        this.logPrefix = logPrefix;
        this.tls = tls;
        this.outbound = new Outbound(settings.limits().maxPending(), server.budget());
        setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
                onRead(grab(in));
            }

            @Override
            public void onUpstreamFinish() {
                if (handshakeFailed()) {
                    tls.failed("EOF");
                    close(CloseReason.TLS_HANDSHAKE_ERROR, null);
                    return;
                }
                inputEnded = true;
                if (inLen == 0 && !readPaused()) {
                    close(CloseReason.CLIENT_CLOSED, null);
                }
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
                if (handshakeFailed()) {
                    tls.failed(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
                    close(CloseReason.TLS_HANDSHAKE_ERROR, null);
                    return;
                }
                close(CloseReason.READ_ERROR, null);
            }
        });
        setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
                Outbound.wake(outbound.writeCompleted(System.nanoTime()));
                writeOut();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
                if (tls != null && !isClosed(in)) {
                    // The TLS stage cancels this output first and then ends the input, with the reason when
                    // the handshake failed: the input's handlers close the connection.
                    return;
                }
                closeReason = closeReason == null ? CloseReason.WRITE_ERROR : closeReason;
                completeStage();
            }
        });
    }

    // ---- what the protocol half provides --------------------------------------------------------------

    /** Parses from {@code buf[off, off+len)}; returns the bytes used. Called only while nothing pauses input. */
    abstract int parse(byte[] buf, int off, int len);

    /** Whether the protocol waits for something before it parses more (a shard's answer, a credentials check). */
    abstract boolean readPaused();

    /**
     * The end of a read chunk (or of what could be parsed of it): flush the receivers it touched, and add to
     * {@code blockers} those this connection must wait for.
     */
    abstract void endBatch(List<Subscriber> blockers);

    /** Signals other than the transport's own. */
    abstract void onProtocolSignal(ConnectionSignal s);

    /** Timers other than the transport's own. */
    abstract void onProtocolTimer(Object key);

    // ---- input ----------------------------------------------------------------------------------------

    private void onRead(ByteString bytes) {
        if (closing) {
            return;
        }
        lastActivityNanos = System.nanoTime();
        inBuf = bytes.toArrayUnsafe();
        inOff = 0;
        inLen = inBuf.length;
        processInput();
    }

    /** Parses what is read and not parsed yet, as far as it can go now; then reads more when it may. */
    final void processInput() {
        while (inLen > 0 && !readPaused() && !closing && !stalled) {
            int n = parse(inBuf, inOff, inLen);
            inOff += n;
            inLen -= n;
            if (n == 0) {
                break;
            }
        }
        endBatch(blockers);
        if (!blockers.isEmpty() && !stalled) {
            stalled = true;
            server.publisherStalls.increment();
            scheduleOnce(TIMER_STALL, STALL_RECHECK);
        }
        writeOut();
        if (inLen == 0) {
            inBuf = null;
            if (!closing && !stalled && !readPaused()) {
                if (inputEnded) {
                    close(CloseReason.CLIENT_CLOSED, null);
                } else if (!hasBeenPulled(in) && !isClosed(in)) {
                    pull(in);
                }
            }
        }
    }

    /** The first byte of what is read and not parsed yet; only while some is. */
    final byte nextInputByte() {
        return inBuf[inOff];
    }

    // ---- flow control ---------------------------------------------------------------------------------

    @Override
    public final void receiverDrained() {
        if (!drainedSignalled.getAndSet(true)) {
            signal.invoke(ConnectionSignal.RECEIVER_DRAINED);
        }
    }

    /**
     * Reads on once no receiver this connection fed still holds it back: each one that has written out its
     * backlog, closed, or stopped making progress lets go.
     */
    private void recheckBlockers() {
        drainedSignalled.set(false);
        if (!stalled || closing) {
            return;
        }
        long now = System.nanoTime();
        blockers.removeIf(s -> !s.holdsPublisher(this, now));
        if (!blockers.isEmpty()) {
            scheduleOnce(TIMER_STALL, STALL_RECHECK);
            return;
        }
        stalled = false;
        cancelTimer(TIMER_STALL);
        processInput();
    }

    // ---- output ---------------------------------------------------------------------------------------

    /** Hands what is queued to the socket if it can take it now; otherwise {@code onPull} will. */
    final void writeOut() {
        outbound.flushRequested.set(false);
        if (closing || !isAvailable(out)) {
            return;
        }
        ByteString bytes = outbound.drain();
        if (bytes == null) {
            return;
        }
        push(out, bytes);
        lastPushNanos = System.nanoTime();
        if (!writeDeadlineArmed) {
            writeDeadlineArmed = true;
            scheduleOnce(TIMER_WRITE_DEADLINE, settings.timings().writeDeadline());
        }
    }

    final void sendErr(String text) {
        if (trace) {
            traceOut("-ERR " + text);
        }
        outbound.appendProtocol(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
    }

    final void traceIn(String op) {
        traceLog.trace("{}<<- [{}]", logPrefix, op);
    }

    final void traceOut(String op) {
        traceLog.trace("{}->> [{}]", logPrefix, op);
    }

    // ---- signals and timers ---------------------------------------------------------------------------

    private void onSignal(ConnectionSignal s) {
        if (s == ConnectionSignal.FLUSH) {
            // Messages were queued for this client: that counts as activity, as in nats-server.
            lastActivityNanos = System.nanoTime();
            writeOut();
        } else if (s == ConnectionSignal.RECEIVER_DRAINED) {
            recheckBlockers();
        } else if (s == ConnectionSignal.SLOW_CONSUMER) {
            log.info("{}Slow Consumer Detected: MaxPending of {} Exceeded", logPrefix, settings.limits().maxPending());
            abort(CloseReason.SLOW_CONSUMER_PENDING_BYTES);
        } else if (s instanceof ConnectionSignal.CloseRequest c) {
            close(c.reason(), null);
        } else {
            onProtocolSignal(s);
        }
    }

    @Override
    public final void onTimer(Object key) {
        if (closing) {
            return;
        }
        if (TIMER_STALL.equals(key)) {
            recheckBlockers();
        } else if (TIMER_WRITE_DEADLINE.equals(key)) {
            onWriteDeadlineTimer();
        } else {
            onProtocolTimer(key);
        }
    }

    private void onWriteDeadlineTimer() {
        writeDeadlineArmed = false;
        if (isAvailable(out)) {
            return; // the last write completed
        }
        long stalledFor = System.nanoTime() - lastPushNanos;
        long deadline = settings.timings().writeDeadline().toNanos();
        if (stalledFor >= deadline) {
            countSlowConsumer();
            log.info("{}Slow Consumer Detected: WriteDeadline of {} exceeded", logPrefix, settings.timings().writeDeadline());
            abort(CloseReason.SLOW_CONSUMER_WRITE_DEADLINE);
        } else {
            writeDeadlineArmed = true;
            scheduleOnce(TIMER_WRITE_DEADLINE, Duration.ofNanos(deadline - stalledFor));
        }
    }

    /** Counts this connection as a slow consumer, once; true the first time. */
    final boolean countSlowConsumer() {
        if (slow.compareAndSet(false, true)) {
            server.slowConsumers.increment();
            return true;
        }
        return false;
    }

    // ---- closing --------------------------------------------------------------------------------------

    /** Whether this connection ends behind TLS before the handshake completed (TlsHandshake logs why). */
    final boolean handshakeFailed() {
        return tls != null && !tls.isComplete();
    }

    /** Closes after writing what is queued, with {@code -ERR '<errText>'} last when it is not null. */
    final void close(CloseReason reason, String errText) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = reason;
        if (errText != null) {
            sendErr(errText);
        }
        ByteString rest = outbound.close();
        if (rest != null && !isClosed(out)) {
            emit(out, rest, this::completeStage);
        } else {
            completeStage();
        }
    }

    /** Closes at once, dropping what is queued: for a client that does not read. */
    final void abort(CloseReason reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = reason;
        outbound.close();
        failStage(new ConnectionAborted(reason));
    }

    /** Asks the connection, from any thread, to close after writing what is queued. */
    public final void requestClose(CloseReason reason) {
        signal.invoke(new ConnectionSignal.CloseRequest(reason));
    }

    /** Fails the write side so the socket is reset rather than drained. */
    static final class ConnectionAborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionAborted(CloseReason reason) {
            super(reason.text(), null, false, false);
        }
    }
}
