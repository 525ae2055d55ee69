package io.meshery.broker.server;

import io.meshery.broker.protocol.ParseError;
import io.meshery.broker.protocol.ProtocolParser;
import io.meshery.broker.protocol.ProtocolParser.PubArgs;
import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.routing.Match;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.runtime.BoxedUnit;

/**
 * One client connection: the bytes the socket reads go in, the bytes to write come out. Materialised once
 * per accepted TCP connection, it runs inside its own stream actor, and so is the connection's actor.
 *
 * <p>The message path stays on this connection's thread of control: a PUB is parsed from the read buffer,
 * matched against the shared {@link io.meshery.broker.routing.SubjectIndex} (no actor hop) and appended to
 * each receiver's {@link Outbound}. Each receiver touched by a read is flushed once, after the whole read
 * is processed. So messages from one publisher reach every subscriber in publish order.
 *
 * <p>A SUB goes to the shard that owns its subject, and this connection reads no further until the shard
 * confirms: whatever the client sends after a SUB sees the subscription in place.
 */
public final class ClientConnection extends GraphStage<FlowShape<ByteString, ByteString>> {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Duration FIRST_PING = Duration.ofSeconds(2);

    private static final String TIMER_PING = "ping";
    private static final String TIMER_WRITE_DEADLINE = "write-deadline";

    private final Server server;
    private final InetSocketAddress remote;
    private final int localPort;
    private final Inlet<ByteString> in = Inlet.create("ClientConnection.in");
    private final Outlet<ByteString> out = Outlet.create("ClientConnection.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    public ClientConnection(Server server, InetSocketAddress local, InetSocketAddress remote) {
        this.server = server;
        this.remote = remote;
        this.localPort = local.getPort();
    }

    @Override
    public FlowShape<ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Client();
    }

    /** Signals from other threads, delivered on the connection's own thread. */
    private enum Signal { FLUSH, SLOW_CONSUMER }

    private record Finished(Subscription sub) {
    }

    private record CloseRequest(CloseReason reason) {
    }

    /** The connection's logic and state; also what other parts of the node see of a client. */
    public final class Client extends TimerGraphStageLogic implements ProtocolParser.Handler, Subscriber {

        private final long cid = server.nextClientId();
        private final String ip = remote.getAddress().getHostAddress();
        private final String logPrefix = ip + ":" + remote.getPort() + " - cid:" + cid + " - ";
        private final ServerSettings settings = server.settings();
        private final ProtocolParser parser =
            new ProtocolParser(this, settings.maxControlLine(), settings.maxPayload());
        private final Outbound outbound = new Outbound(settings.maxPending());
        private final Map<String, Subscription> subs = new ConcurrentHashMap<>();
        private final AtomicBoolean slow = new AtomicBoolean();
        private final Instant started = Instant.now();
        private final AsyncCallback<Object> signal = createAsyncCallback(this::onSignal);
        private volatile ConnectOptions opts = ConnectOptions.DEFAULTS;

        private ActorRef<SubjectShard.Subscribed> self;

        /** Input not parsed yet: the parser paused for a SUB, the rest waits here. */
        private byte[] inBuf;
        private int inOff;
        private int inLen;
        private boolean awaitingSubscribe;

        /** Receivers appended to during the current read; each is flushed once at its end. */
        private final IdentityHashMap<Subscriber, Boolean> touched = new IdentityHashMap<>();
        private long batchMsgs;
        private long batchBytes;
        private long batchDeliveries;

        private volatile long inMsgs;
        private volatile long inBytes;
        private volatile long lastActivityNanos = System.nanoTime();
        private volatile long rttNanos;
        private long pingSentNanos;
        private int pingsOut;
        private long lastPushNanos;
        private boolean writeDeadlineArmed;
        private boolean registered;
        private boolean closing;
        private volatile CloseReason closeReason;

        Client() {
            super(shape);
            setHandler(in, new AbstractInHandler() {
                @Override
                public void onPush() {
                    onRead(grab(in));
                }

                @Override
                public void onUpstreamFinish() {
                    close(CloseReason.CLIENT_CLOSED, null);
                }

                @Override
                public void onUpstreamFailure(Throwable ex) {
                    close(CloseReason.READ_ERROR, null);
                }
            });
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    writeOut();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    closeReason = closeReason == null ? CloseReason.WRITE_ERROR : closeReason;
                    completeStage();
                }
            });
        }

        @Override
        public void preStart() {
            self = Adapter.toTyped(getStageActor(msg -> {
                onStageMessage(msg._2());
                return BoxedUnit.UNIT;
            }).ref());
            outbound.appendProtocol(server.info(cid, ip, localPort));
            if (!server.register(this)) {
                log.warn("{}Maximum connections exceeded, closing", logPrefix);
                close(CloseReason.MAX_CONNECTIONS_EXCEEDED, "maximum connections exceeded");
                return;
            }
            registered = true;
            log.debug("{}Client connection created", logPrefix);
            Duration first = settings.pingInterval().compareTo(FIRST_PING) < 0 ? settings.pingInterval() : FIRST_PING;
            long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, first.toMillis() / 5));
            scheduleOnce(TIMER_PING, first.plusMillis(jitter));
            pull(in);
        }

        @Override
        public void postStop() {
            if (closeReason == null) {
                closeReason = CloseReason.SERVER_SHUTDOWN;
            }
            outbound.close();
            for (Subscription s : subs.values()) {
                s.close();
                server.shards().shardFor(s.subject()).tell(new SubjectShard.Unsubscribe(s));
            }
            subs.clear();
            if (registered) {
                server.unregister(this);
                log.debug("{}Client connection closed: {}", logPrefix, closeReason.text());
            }
        }

        // ---- input ------------------------------------------------------------------------------------

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

        private void processInput() {
            while (inLen > 0 && !awaitingSubscribe && !closing) {
                int n = parser.parse(inBuf, inOff, inLen);
                inOff += n;
                inLen -= n;
                if (parser.hasFailed()) {
                    break;
                }
            }
            endBatch();
            if (inLen == 0) {
                inBuf = null;
                if (!closing && !hasBeenPulled(in) && !isClosed(in)) {
                    pull(in);
                }
            }
        }

        private void endBatch() {
            if (batchMsgs > 0) {
                inMsgs += batchMsgs;
                inBytes += batchBytes;
                server.inMsgs.add(batchMsgs);
                server.inBytes.add(batchBytes);
                batchMsgs = 0;
                batchBytes = 0;
            }
            if (batchDeliveries > 0) {
                server.outMsgs.add(batchDeliveries);
                batchDeliveries = 0;
            }
            if (!touched.isEmpty()) {
                for (Subscriber s : touched.keySet()) {
                    if (s != this) {
                        s.flush();
                    }
                }
                touched.clear();
            }
            writeOut();
        }

        @Override
        public void onConnect(byte[] buf, int off, int len) {
            ConnectOptions parsed;
            try {
                parsed = ConnectOptions.parse(buf, off, len, opts);
            } catch (ConnectOptions.InvalidConnect e) {
                log.warn("{}{}", logPrefix, e.getMessage());
                close(CloseReason.PROTOCOL_VIOLATION, null);
                return;
            }
            if (parsed.protocol() < 0 || parsed.protocol() > 1) {
                close(CloseReason.BAD_CLIENT_PROTOCOL_VERSION, "invalid client protocol");
                return;
            }
            if (parsed.noResponders() && !parsed.headers()) {
                close(CloseReason.PROTOCOL_VIOLATION, "no responders requires headers support");
                return;
            }
            opts = parsed;
            parser.setHeadersAllowed(parsed.headers());
            okIfVerbose();
        }

        @Override
        public void onPublish(PubArgs args, byte[] buf, int off, int len) {
            batchMsgs++;
            batchBytes += len;
            ConnectOptions o = opts;
            String subject = args.subject();
            boolean invalid = o.pedantic() && !Subjects.isValidLiteral(subject);
            if (invalid) {
                sendErr("Invalid Publish Subject");
            }
            okIfVerbose();
            if (invalid) {
                return;
            }
            Match match = server.index().match(subject);
            if (!match.isEmpty()) {
                boolean echo = o.echo();
                for (Subscription s : match.plain()) {
                    deliverTo(s, args, buf, off, len, echo);
                }
                for (Subscription[] group : match.queues()) {
                    deliverToOne(group, args, buf, off, len, echo);
                }
            } else if (args.replyLength() > 0 && o.noResponders()) {
                sendNoResponders(args.reply());
            }
        }

        private boolean deliverTo(Subscription s, PubArgs args, byte[] buf, int off, int len, boolean echo) {
            if (s.isClosed()) {
                return false;
            }
            Subscriber owner = s.owner();
            if (owner == this && !echo) {
                return false;
            }
            if (!s.countDelivery()) {
                return false;
            }
            if (owner.deliver(s, args, buf, off, len)) {
                touched.put(owner, Boolean.TRUE);
                batchDeliveries++;
                return true;
            }
            return false;
        }

        private void deliverToOne(Subscription[] group, PubArgs args, byte[] buf, int off, int len, boolean echo) {
            int n = group.length;
            int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
            for (int i = 0; i < n; i++) {
                if (deliverTo(group[(start + i) % n], args, buf, off, len, echo)) {
                    return;
                }
            }
        }

        /** The 503 status a requester gets when nobody listens on the subject, to its own reply subscription. */
        private void sendNoResponders(String reply) {
            byte[] status = "NATS/1.0 503\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            PubArgs msg = PubArgs.of(reply, null, status.length, status.length);
            Subscription target = null;
            for (Subscription s : subs.values()) {
                if (!s.isClosed() && Subjects.matches(s.subject(), reply)) {
                    target = s;
                    if (s.subject().equals(reply)) {
                        break;
                    }
                }
            }
            if (target != null && target.countDelivery()) {
                deliver(target, msg, status, 0, status.length);
            }
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            if (!Subjects.isValidSubscribe(subject)) {
                sendErr("Invalid Subject");
                return;
            }
            if (subs.containsKey(sid)) {
                okIfVerbose();
                return;
            }
            int max = settings.maxSubscriptions();
            if (max > 0 && subs.size() >= max) {
                log.info("{}Maximum subscriptions exceeded", logPrefix);
                sendErr("maximum subscriptions exceeded");
                return;
            }
            Subscription sub = new Subscription(this, subject, queue, sid);
            subs.put(sid, sub);
            awaitingSubscribe = true;
            parser.pause();
            server.shards().shardFor(subject).tell(new SubjectShard.Subscribe(sub, self));
        }

        private void onStageMessage(Object msg) {
            if (msg instanceof SubjectShard.Subscribed) {
                awaitingSubscribe = false;
                if (!closing) {
                    okIfVerbose();
                    processInput();
                }
            }
        }

        @Override
        public void onUnsubscribe(String sid, long max) {
            Subscription sub = subs.get(sid);
            if (sub != null && (max == 0 || sub.limitTo(max))) {
                removeSubscription(sub);
            }
            okIfVerbose();
        }

        private void removeSubscription(Subscription sub) {
            if (subs.remove(sub.sid(), sub)) {
                sub.close();
                server.shards().shardFor(sub.subject()).tell(new SubjectShard.Unsubscribe(sub));
            }
        }

        @Override
        public void onPing() {
            outbound.appendProtocol(PONG);
        }

        @Override
        public void onPong() {
            pingsOut = 0;
            if (pingSentNanos != 0) {
                rttNanos = System.nanoTime() - pingSentNanos;
                pingSentNanos = 0;
            }
        }

        @Override
        public void onParseError(ParseError error, String detail) {
            CloseReason reason = switch (error) {
                case MAX_PAYLOAD -> CloseReason.MAX_PAYLOAD_EXCEEDED;
                case MAX_CONTROL_LINE -> CloseReason.MAX_CONTROL_LINE_EXCEEDED;
                case CLIENT_ERROR -> CloseReason.CLIENT_CLOSED;
                default -> CloseReason.PARSE_ERROR;
            };
            log.warn("{}Client parser error: {}", logPrefix, detail);
            close(reason, error.errText());
        }

        // ---- output -----------------------------------------------------------------------------------

        @Override
        public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
            Outbound.Result r = outbound.appendMessage(sub, msg, buf, off, len, opts.headers());
            if (r == Outbound.Result.QUEUED) {
                return true;
            }
            if (r == Outbound.Result.SLOW_CONSUMER && slow.compareAndSet(false, true)) {
                server.slowConsumers.increment();
                signal.invoke(Signal.SLOW_CONSUMER);
            }
            return false;
        }

        @Override
        public void flush() {
            if (!outbound.flushRequested.getAndSet(true)) {
                signal.invoke(Signal.FLUSH);
            }
        }

        @Override
        public void subscriptionFinished(Subscription sub) {
            signal.invoke(new Finished(sub));
        }

        private void onSignal(Object s) {
            if (s == Signal.FLUSH) {
                writeOut();
            } else if (s == Signal.SLOW_CONSUMER) {
                log.info("{}Slow Consumer Detected: MaxPending of {} Exceeded", logPrefix, settings.maxPending());
                abort(CloseReason.SLOW_CONSUMER_PENDING_BYTES);
            } else if (s instanceof Finished f) {
                removeSubscription(f.sub());
            } else if (s instanceof CloseRequest c) {
                close(c.reason(), null);
            }
        }

        /** Hands everything queued to the socket if it can take it now; otherwise {@code onPull} will. */
        private void writeOut() {
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
                scheduleOnce(TIMER_WRITE_DEADLINE, settings.writeDeadline());
            }
        }

        private void sendErr(String text) {
            outbound.appendProtocol(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
        }

        private void okIfVerbose() {
            if (opts.verbose()) {
                outbound.appendProtocol(OK);
            }
        }

        // ---- timers and closing -----------------------------------------------------------------------

        @Override
        public void onTimer(Object key) {
            if (closing) {
                return;
            }
            if (TIMER_PING.equals(key)) {
                onPingTimer();
            } else if (TIMER_WRITE_DEADLINE.equals(key)) {
                onWriteDeadlineTimer();
            }
        }

        private void onPingTimer() {
            long now = System.nanoTime();
            long interval = settings.pingInterval().toNanos();
            boolean recentlyActive = now - lastActivityNanos < interval && rttNanos != 0;
            if (!recentlyActive) {
                if (pingsOut + 1 > settings.pingMax()) {
                    log.debug("{}Stale Client Connection - Closing", logPrefix);
                    close(CloseReason.STALE_CONNECTION, "Stale Connection");
                    return;
                }
                outbound.appendProtocol(PING);
                pingsOut++;
                pingSentNanos = now;
                writeOut();
            }
            scheduleOnce(TIMER_PING, settings.pingInterval());
        }

        private void onWriteDeadlineTimer() {
            writeDeadlineArmed = false;
            if (isAvailable(out)) {
                return; // the last write completed
            }
            long stalled = System.nanoTime() - lastPushNanos;
            long deadline = settings.writeDeadline().toNanos();
            if (stalled >= deadline) {
                if (slow.compareAndSet(false, true)) {
                    server.slowConsumers.increment();
                }
                log.info("{}Slow Consumer Detected: WriteDeadline of {} exceeded", logPrefix, settings.writeDeadline());
                abort(CloseReason.SLOW_CONSUMER_WRITE_DEADLINE);
            } else {
                writeDeadlineArmed = true;
                scheduleOnce(TIMER_WRITE_DEADLINE, Duration.ofNanos(deadline - stalled));
            }
        }

        /** Closes after writing what is queued, with {@code -ERR '<errText>'} last when it is not null. */
        private void close(CloseReason reason, String errText) {
            if (closing) {
                return;
            }
            closing = true;
            closeReason = reason;
            if (errText != null) {
                sendErr(errText);
            }
            ByteString rest = outbound.close();
            if (rest != null) {
                emit(out, rest, this::completeStage);
            } else {
                completeStage();
            }
        }

        /** Closes at once, dropping what is queued: for a client that does not read. */
        private void abort(CloseReason reason) {
            if (closing) {
                return;
            }
            closing = true;
            closeReason = reason;
            outbound.close();
            failStage(new ConnectionAborted(reason));
        }

        /** Asks the connection, from any thread, to close after writing what is queued. */
        public void requestClose(CloseReason reason) {
            signal.invoke(new CloseRequest(reason));
        }

        // ---- what monitoring sees ---------------------------------------------------------------------

        @Override
        public long id() { return cid; }
        public String ip() { return ip; }
        public int port() { return remote.getPort(); }
        public Instant started() { return started; }
        public String name() { return opts.name(); }
        public String lang() { return opts.lang(); }
        public String version() { return opts.version(); }
        public long inMsgs() { return inMsgs; }
        public long inBytes() { return inBytes; }
        public long outMsgs() { return outbound.outMsgs(); }
        public long outBytes() { return outbound.outBytes(); }
        public int pendingBytes() { return outbound.pending(); }
        public Duration rtt() { return Duration.ofNanos(rttNanos); }
        public long lastActivityNanos() { return lastActivityNanos; }
        public CloseReason closeReason() { return closeReason; }
        public List<Subscription> subscriptions() { return new ArrayList<>(subs.values()); }
    }

    /** Fails the write side so the socket is reset rather than drained. */
    static final class ConnectionAborted extends RuntimeException {
        ConnectionAborted(CloseReason reason) {
            super(reason.text(), null, false, false);
        }
    }
}
