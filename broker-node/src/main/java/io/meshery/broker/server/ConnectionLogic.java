package io.meshery.broker.server;

import io.meshery.broker.logging.LogSetup;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport half of a client connection, as an actor: reading (with the pauses the protocol asks for and the
 * holds of flow control), handing the connection's {@link Outbound} to its {@link ClientSocket}, the write
 * deadline, the signals other threads send, and closing. What the bytes mean is {@link ClientConnection.Client}'s
 * job, through the abstract methods.
 *
 * <p>Input: each read chunk is handed to {@link #parse} until it is used up, the protocol pauses (a SUB waiting
 * for its shard, a credentials check), or the chunk's publishes left a receiver backlogged ({@link #endBatch}
 * returns the receivers to wait for). Chunks read meanwhile wait here, and the socket reads no more than
 * {@link ClientSocket#MAX_QUEUED_READS} ahead. When the client closes its side, what it sent before is still
 * processed, then the connection closes, as nats-server does.
 *
 * <p>Everything here runs in the connection's actor, except {@link #receiverDrained}, {@link #requestClose} and
 * {@link #writeOut}, which other threads may call.
 */
abstract class ConnectionLogic extends AbstractActorWithTimers implements FlowWaiter {

    static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /** Protocol trace has its own logger so that {@code -V} and {@code -D} stay independent, as in nats-server. */
    static final Logger traceLog = LoggerFactory.getLogger(LogSetup.TRACE_LOGGER);

    private static final String TIMER_WRITE_DEADLINE = "write-deadline";
    private static final String TIMER_STALL = "stall";
    /** While held back, a publisher looks at its receivers this often even when none has woken it. */
    private static final Duration STALL_RECHECK = Duration.ofMillis(100);

    /** A timer of this connection fired. */
    record Timer(Object key) {
    }

    final Server server;
    final ServerSettings settings;
    final String logPrefix;
    final Outbound outbound;
    final ClientSocket socket;
    /** This actor, for other threads to tell. */
    final ActorRef me = getSelf();
    /** Protocol tracing ({@code -V}), decided once per connection so the hot path pays one branch. */
    final boolean trace = traceLog.isTraceEnabled();
    private final TlsHandshake tls;

    /** Input not parsed yet: the protocol paused, or the connection waits for a receiver; the rest waits here. */
    private byte[] inBuf;
    private int inOff;
    private int inLen;
    /** Chunks read while the one above was not used up. */
    private final ArrayDeque<byte[]> queuedReads = new ArrayDeque<>();
    /** The client closed its sending side; what it sent before is still processed, then the connection closes. */
    private boolean inputEnded;

    /** Flow control: receivers this connection waits for before it reads more (docs/architecture.md). */
    private final List<Subscriber> blockers = new ArrayList<>();
    private boolean stalled;
    private final AtomicBoolean drainedSignalled = new AtomicBoolean();

    private final AtomicBoolean slow = new AtomicBoolean();
    volatile long lastActivityNanos = System.nanoTime();
    private boolean writeDeadlineArmed;
    boolean closing;
    volatile CloseReason closeReason;

    ConnectionLogic(Server server, ClientSocket socket, Outbound outbound, String logPrefix, TlsHandshake tls) {
        this.server = server;
        this.settings = server.settings();
        this.socket = socket;
        this.outbound = outbound;
        this.logPrefix = logPrefix;
        this.tls = tls;
    }

    /**
     * One handler that tells the messages apart itself: a receive built of one case per message type costs each
     * connection about 1.5 KiB of partial functions.
     */
    @Override
    public Receive createReceive() {
        return receiveBuilder().matchAny(this::onMessage).build();
    }

    private void onMessage(Object message) {
        if (message instanceof ClientSocket.Read r) {
            onRead(r.bytes());
        } else if (message instanceof ConnectionSignal s) {
            onSignal(s);
        } else if (message instanceof Timer t) {
            onTimer(t.key());
        } else if (message instanceof ClientSocket.InputEnded) {
            onInputEnded();
        } else if (message instanceof ClientSocket.ReadFailed f) {
            onReadFailed(f.reason());
        } else if (message instanceof ClientSocket.WriteBlocked) {
            armWriteDeadline(settings.timings().writeDeadline());
        } else if (message instanceof ClientSocket.Closed c) {
            onSocketClosed(c);
        } else {
            onProtocolMessage(message);
        }
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

    /** Messages other than the transport's own (a shard's answer). */
    abstract void onProtocolMessage(Object message);

    // ---- input ----------------------------------------------------------------------------------------

    private void onRead(byte[] bytes) {
        if (closing) {
            socket.readDone();
            return;
        }
        lastActivityNanos = System.nanoTime();
        byte[] plain = bytes;
        if (socket.isTls()) {
            try {
                plain = socket.unwrap(bytes);
            } catch (SSLException e) {
                socket.readDone();
                onReadFailed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                return;
            }
            if (plain == null) { // close_notify
                socket.readDone();
                onInputEnded();
                return;
            }
        }
        if (plain.length == 0) {
            socket.readDone();
            return;
        }
        if (inBuf != null) {
            queuedReads.add(plain);
            return;
        }
        inBuf = plain;
        inOff = 0;
        inLen = plain.length;
        processInput();
    }

    /** Parses what is read and not parsed yet, as far as it can go now; then reads more when it may. */
    final void processInput() {
        while (inBuf != null) {
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
            if (inLen > 0) {
                break;
            }
            inBuf = queuedReads.poll();
            inOff = 0;
            inLen = inBuf == null ? 0 : inBuf.length;
            socket.readDone();
            if (closing || stalled || readPaused()) {
                break;
            }
        }
        writeOut();
        if (inBuf == null && inputEnded && !closing && !stalled && !readPaused()) {
            close(CloseReason.CLIENT_CLOSED, null);
        }
    }

    private void onInputEnded() {
        if (handshakeFailed()) {
            tls.failed("EOF");
            close(CloseReason.TLS_HANDSHAKE_ERROR, null);
            return;
        }
        inputEnded = true;
        if (inBuf == null && !readPaused()) {
            close(CloseReason.CLIENT_CLOSED, null);
        }
    }

    private void onReadFailed(String reason) {
        if (handshakeFailed()) {
            tls.failed(reason);
            close(CloseReason.TLS_HANDSHAKE_ERROR, null);
            return;
        }
        close(CloseReason.READ_ERROR, null);
    }

    // ---- flow control ---------------------------------------------------------------------------------

    @Override
    public final void receiverDrained() {
        if (!drainedSignalled.getAndSet(true)) {
            me.tell(ConnectionSignal.RECEIVER_DRAINED, ActorRef.noSender());
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

    /** Hands what is queued to the socket; from any thread. */
    final void writeOut() {
        socket.flush();
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
        if (s == ConnectionSignal.RECEIVER_DRAINED) {
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

    final void scheduleOnce(Object key, Duration delay) {
        getTimers().startSingleTimer(key, new Timer(key), delay);
    }

    final void cancelTimer(Object key) {
        getTimers().cancel(key);
    }

    private void onTimer(Object key) {
        if (TIMER_WRITE_DEADLINE.equals(key)) {
            onWriteDeadlineTimer(); // also while closing: a close waits for its last write no longer than this
            return;
        }
        if (closing) {
            return;
        }
        if (TIMER_STALL.equals(key)) {
            recheckBlockers();
        } else {
            onProtocolTimer(key);
        }
    }

    private void armWriteDeadline(Duration after) {
        if (!writeDeadlineArmed) {
            writeDeadlineArmed = true;
            scheduleOnce(TIMER_WRITE_DEADLINE, after);
        }
    }

    private void onWriteDeadlineTimer() {
        writeDeadlineArmed = false;
        long since = socket.blockedSinceNanos();
        if (since == 0 || socket.isClosed()) {
            return; // the last write completed
        }
        long stalledFor = System.nanoTime() - since;
        long deadline = settings.timings().writeDeadline().toNanos();
        if (stalledFor >= deadline) {
            countSlowConsumer();
            log.info("{}Slow Consumer Detected: WriteDeadline of {} exceeded", logPrefix, settings.timings().writeDeadline());
            abort(CloseReason.SLOW_CONSUMER_WRITE_DEADLINE); // also a graceful close that could not write
        } else {
            armWriteDeadline(Duration.ofNanos(deadline - stalledFor));
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
        outbound.closeForWrites();
        socket.stopReading();
        socket.closeWhenFlushed();
    }

    /** Closes at once, dropping what is queued: for a client that does not read. */
    final void abort(CloseReason reason) {
        if (socket.isClosed()) {
            return;
        }
        if (!closing) {
            closing = true;
            closeReason = reason;
        }
        outbound.closeForWrites();
        socket.abort();
    }

    private void onSocketClosed(ClientSocket.Closed closed) {
        if (!closing) {
            closing = true;
            if (handshakeFailed()) {
                tls.failed("connection closed");
                closeReason = CloseReason.TLS_HANDSHAKE_ERROR;
            } else {
                closeReason = closed.failed() ? CloseReason.WRITE_ERROR : CloseReason.CLIENT_CLOSED;
            }
        }
        getContext().stop(getSelf());
    }

    /** A fault of ours while serving the connection ends the connection, as an exception ends a stream. */
    @Override
    public void preRestart(Throwable reason, Optional<Object> message) throws Exception {
        log.error("{}Connection failed: {}", logPrefix, reason.toString());
        if (closeReason == null) {
            closeReason = CloseReason.SERVER_SHUTDOWN;
        }
        super.preRestart(reason, message); // postStop: the socket is closed, the subscriptions removed
    }

    @Override
    public void postRestart(Throwable reason) {
        getContext().stop(getSelf());
    }

    @Override
    public void postStop() {
        socket.abort(); // when the node stops with the connection open; else it is closed already
        outbound.closeForWrites();
        outbound.release();
    }

    /** Asks the connection, from any thread, to close after writing what is queued. */
    public final void requestClose(CloseReason reason) {
        me.tell(new ConnectionSignal.CloseRequest(reason), ActorRef.noSender());
    }
}
