package io.meshery.broker.server;

import io.meshery.broker.protocol.ParseError;
import io.meshery.broker.protocol.ProtocolParser;
import io.meshery.broker.protocol.ProtocolParser.PubArgs;
import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Match;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.logging.LogSetup;
import io.meshery.broker.security.Authenticator;
import io.meshery.broker.security.ClientPermissions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
    /** Protocol trace has its own logger so that {@code -V} and {@code -D} stay independent, as in nats-server. */
    private static final Logger traceLog = LoggerFactory.getLogger(LogSetup.TRACE_LOGGER);

    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Duration FIRST_PING = Duration.ofSeconds(2);

    private static final String TIMER_PING = "ping";
    private static final String TIMER_WRITE_DEADLINE = "write-deadline";
    private static final String TIMER_AUTH = "auth";
    private static final String TIMER_TLS = "tls-handshake";
    private static final String TIMER_STALL = "stall";
    /** While held back, a publisher looks at its receivers this often even when none has woken it. */
    private static final Duration STALL_RECHECK = Duration.ofMillis(100);
    /** Where bcrypt checks run, off the I/O threads. */
    private static final String BLOCKING_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";

    private final Server server;
    private final InetSocketAddress remote;
    private final int localPort;
    private final long presetCid;
    private final TlsHandshake tls;
    private final Inlet<ByteString> in = Inlet.create("ClientConnection.in");
    private final Outlet<ByteString> out = Outlet.create("ClientConnection.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    public ClientConnection(Server server, InetSocketAddress local, InetSocketAddress remote) {
        this(server, local, remote, 0, null);
    }

    /**
     * A connection behind TLS ({@link ClientTransport}): its id was given out and its INFO sent in plain text
     * before the handshake, and {@code tls} tells when the handshake is done.
     */
    ClientConnection(Server server, InetSocketAddress local, InetSocketAddress remote, long cid, TlsHandshake tls) {
        this.server = server;
        this.remote = remote;
        this.localPort = local.getPort();
        this.presetCid = cid;
        this.tls = tls;
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
    private enum Signal { FLUSH, SLOW_CONSUMER, LAME_DUCK, RECEIVER_DRAINED }

    private record Finished(Subscription sub) {
    }

    private record CloseRequest(CloseReason reason) {
    }

    /** The outcome of a credentials check that ran off the connection's thread. */
    private record CredentialsChecked(ConnectOptions connect, Authenticator.Identity identity) {
    }

    /** The connection's logic and state; also what other parts of the node see of a client. */
    public final class Client extends TimerGraphStageLogic implements ProtocolParser.Handler, Subscriber, FlowWaiter {

        private final long cid = presetCid != 0 ? presetCid : server.nextClientId();
        private final String ip = remote.getAddress().getHostAddress();
        private final String logPrefix = ip + ":" + remote.getPort() + " - cid:" + cid + " - ";
        private final ServerSettings settings = server.settings();
        private final ProtocolParser parser =
            new ProtocolParser(this, settings.maxControlLine(), settings.maxPayload());
        private final Outbound outbound = new Outbound(settings.maxPending(), server.budget());
        private final Map<String, Subscription> subs = new ConcurrentHashMap<>();
        private final AtomicBoolean slow = new AtomicBoolean();
        private final Instant started = Instant.now();
        /** {@link #started} on the monotonic clock, to turn activity times into wall-clock times. */
        private final long startNanos = System.nanoTime();
        private final AsyncCallback<Object> signal = createAsyncCallback(this::onSignal);
        private volatile ConnectOptions opts = ConnectOptions.DEFAULTS;
        /** Protocol tracing ({@code -V}), decided once per connection so the hot path pays one branch. */
        private final boolean trace = traceLog.isTraceEnabled();
        /** Null when anyone may connect; otherwise nothing but CONNECT is accepted until it authenticates. */
        private final Authenticator authenticator = settings.security().authenticator();
        private boolean authenticated = authenticator == null;
        private boolean awaitingCredentialsCheck;
        private volatile Authenticator.Identity identity;
        /** The user's permissions, or null when it may do anything. */
        private volatile ClientPermissions perms;
        private boolean connectReceived;
        private boolean firstPongSent;

        private ActorRef<SubjectShard.Subscribed> self;

        /** Input not parsed yet: the parser paused for a SUB, the rest waits here. */
        private byte[] inBuf;
        private int inOff;
        private int inLen;
        private boolean awaitingSubscribe;
        /** The client closed its sending side; what it sent before is still processed, then the connection closes. */
        private boolean inputEnded;

        /** Flow control: receivers this connection waits for before it reads more (docs/architecture.md). */
        private final List<Subscriber> blockers = new ArrayList<>();
        private boolean stalled;
        private final AtomicBoolean drainedSignalled = new AtomicBoolean();

        /** Receivers appended to during the current read; each is flushed once at its end. */
        private final IdentityHashMap<Subscriber, Boolean> touched = new IdentityHashMap<>();
        private long batchMsgs;
        private long batchBytes;
        private long batchDeliveries;
        private long batchDeliveredBytes;
        private long batchMatches;

        private volatile long inMsgs;
        private volatile long inBytes;
        private volatile long lastActivityNanos = System.nanoTime();
        private volatile long rttNanos;
        /** Accept to CONNECT: the round trip monitoring shows until a PING has measured one (as nats-server). */
        private volatile long connectRttNanos;
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
                    if (handshakeFailed()) {
                        tls.failed("EOF");
                        close(CloseReason.TLS_HANDSHAKE_ERROR, null);
                        return;
                    }
                    // As nats-server: everything the client sent before it closed is processed first, also
                    // when the parser waits for a shard or a credentials check; then the connection closes.
                    inputEnded = true;
                    if (inLen == 0 && !awaitingSubscribe && !awaitingCredentialsCheck) {
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

        @Override
        public void preStart() {
            self = Adapter.toTyped(getStageActor(msg -> {
                onStageMessage(msg._2());
                return BoxedUnit.UNIT;
            }).ref());
            if (tls == null) {
                outbound.appendProtocol(server.info(cid, ip, localPort));
            }
            if (!server.register(this)) {
                log.warn("{}Maximum connections exceeded, closing", logPrefix);
                close(CloseReason.MAX_CONNECTIONS_EXCEEDED, "maximum connections exceeded");
                return;
            }
            registered = true;
            log.debug("{}Client connection created", logPrefix);
            if (tls != null) {
                log.debug("{}Starting TLS client connection handshake", logPrefix);
                scheduleOnce(TIMER_TLS, settings.security().tls().timeout());
            }
            if (authenticator != null) {
                scheduleOnce(TIMER_AUTH, settings.authTimeout());
            }
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
            ConnectionInfo last = registered ? info(Instant.now()) : null;
            outbound.close();
            outbound.release();
            for (Subscription s : subs.values()) {
                s.close();
                server.shards().shardFor(s.subject()).tell(new SubjectShard.Unsubscribe(s));
            }
            subs.clear();
            if (registered) {
                server.unregister(this);
                server.remember(last);
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
            while (inLen > 0 && !awaitingSubscribe && !awaitingCredentialsCheck && !closing && !stalled) {
                if (!authenticated && parser.atOperationStart() && !startsConnect(inBuf[inOff])) {
                    refuseCredentials(null); // as nats-server: the first operation must be CONNECT
                    break;
                }
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
                afterInput();
            }
        }

        /** Everything read so far is processed: read more, or close when the client closed its side. */
        private void afterInput() {
            if (closing || stalled || awaitingSubscribe || awaitingCredentialsCheck) {
                return;
            }
            if (inputEnded) {
                close(CloseReason.CLIENT_CLOSED, null);
            } else if (!hasBeenPulled(in) && !isClosed(in)) {
                pull(in);
            }
        }

        private void endBatch() {
            if (batchMatches > 0) {
                server.index().countMatches(batchMatches);
                batchMatches = 0;
            }
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
                server.outBytes.add(batchDeliveredBytes);
                batchDeliveries = 0;
                batchDeliveredBytes = 0;
            }
            if (!touched.isEmpty()) {
                long now = System.nanoTime();
                for (Subscriber s : touched.keySet()) {
                    if (s != this) {
                        s.flush();
                    }
                    if (s.holdsPublisher(this, now)) {
                        blockers.add(s);
                    }
                }
                touched.clear();
                if (!blockers.isEmpty() && !stalled) {
                    stalled = true;
                    server.publisherStalls.increment();
                    scheduleOnce(TIMER_STALL, STALL_RECHECK);
                }
            }
            writeOut();
        }

        // ---- flow control -----------------------------------------------------------------------------

        @Override
        public void receiverDrained() {
            if (!drainedSignalled.getAndSet(true)) {
                signal.invoke(Signal.RECEIVER_DRAINED);
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
            if (inLen > 0) {
                processInput();
            } else {
                afterInput();
            }
        }

        @Override
        public void onConnect(byte[] buf, int off, int len) {
            if (trace) {
                traceIn(ProtocolTrace.connect(buf, off, len));
            }
            ConnectOptions parsed;
            try {
                parsed = ConnectOptions.parse(buf, off, len, opts);
            } catch (ConnectOptions.InvalidConnect e) {
                log.warn("{}{}", logPrefix, e.getMessage());
                close(CloseReason.PROTOCOL_VIOLATION, null);
                return;
            }
            if (authenticator != null && !checkCredentials(parsed)) {
                return; // refused and closing, or being checked off this thread: connected(...) follows
            }
            connected(parsed);
        }

        /** The rest of CONNECT, once its credentials (when any are needed) are good. */
        private void connected(ConnectOptions parsed) {
            connectReceived = true;
            if (parsed.protocol() < 0 || parsed.protocol() > 1) {
                close(CloseReason.BAD_CLIENT_PROTOCOL_VERSION, "invalid client protocol");
                return;
            }
            if (parsed.noResponders() && !parsed.headers()) {
                close(CloseReason.PROTOCOL_VIOLATION, "no responders requires headers support");
                return;
            }
            opts = parsed;
            if (connectRttNanos == 0) {
                connectRttNanos = Math.max(1, System.nanoTime() - startNanos);
            }
            parser.setHeadersAllowed(parsed.headers());
            okIfVerbose();
        }

        @Override
        public void onPublish(PubArgs args, byte[] buf, int off, int len) {
            batchMsgs++;
            batchBytes += len;
            ConnectOptions o = opts;
            String subject = args.subject();
            if (trace) {
                traceIn(ProtocolTrace.pub(args));
                traceLog.trace("{}<<- MSG_PAYLOAD: [{}]", logPrefix, ProtocolTrace.payload(buf, off, len));
            }
            boolean invalid = o.pedantic() && !Subjects.isValidLiteral(subject);
            if (invalid) {
                sendErr("Invalid Publish Subject");
            }
            ClientPermissions p = perms;
            if (p != null && !p.canPublish(subject)) {
                refusePublish(subject);
                return;
            }
            okIfVerbose();
            if (invalid) {
                return;
            }
            batchMatches++;
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
                batchDeliveredBytes += len;
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
            if (trace) {
                traceIn("SUB " + subject + (queue == null ? " " : " " + queue + " ") + sid);
            }
            ClientPermissions p = perms;
            if (p != null && !p.canSubscribe(subject, queue)) {
                refuseSubscription(subject, queue, sid);
                return;
            }
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
            if (trace) {
                traceIn(max == 0 ? "UNSUB " + sid : "UNSUB " + sid + " " + max);
            }
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
            if (trace) {
                traceIn("PING");
                traceOut("PONG");
            }
            outbound.appendProtocol(PONG);
            if (connectReceived) {
                firstPongSent = true; // from now on the client may be sent INFO updates, as in nats-server
            }
        }

        @Override
        public void onPong() {
            if (trace) {
                traceIn("PONG");
            }
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
                // nats-server's words: a client's -ERR is a "Parse Error", any other fault a "Protocol Violation"
                case CLIENT_ERROR -> CloseReason.PARSE_ERROR;
                default -> CloseReason.PROTOCOL_VIOLATION;
            };
            log.warn("{}Client parser error: {}", logPrefix, detail);
            close(reason, error.errText());
        }

        // ---- authentication and permissions -----------------------------------------------------------

        /** Whether this connection ends behind TLS before the handshake completed (TlsHandshake logs why). */
        private boolean handshakeFailed() {
            return tls != null && !tls.isComplete();
        }

        /** nats-server's check on the first byte of an operation while a client still has to authenticate. */
        private boolean startsConnect(byte b) {
            return b == 'C' || b == 'c';
        }

        /**
         * Checks the credentials of a CONNECT. Returns true when they are good now; false when they were refused
         * (the connection is closing) or when the check, a bcrypt computation, runs on the blocking dispatcher:
         * the parser waits for it as it waits for a SUB, and {@link #onCredentialsChecked} carries on.
         */
        private boolean checkCredentials(ConnectOptions connect) {
            if (!authenticator.isSlow()) {
                return accept(authenticator.authenticate(connect.user(), connect.pass(), connect.authToken()), connect);
            }
            awaitingCredentialsCheck = true;
            parser.pause();
            Executor blocking = materializer().system().dispatchers().lookup(BLOCKING_DISPATCHER);
            Authenticator auth = authenticator;
            blocking.execute(() -> signal.invoke(new CredentialsChecked(connect,
                auth.authenticate(connect.user(), connect.pass(), connect.authToken()))));
            return false;
        }

        private void onCredentialsChecked(CredentialsChecked checked) {
            awaitingCredentialsCheck = false;
            if (closing) {
                return; // timed out meanwhile
            }
            if (accept(checked.identity(), checked.connect())) {
                connected(checked.connect());
            }
            if (!closing) {
                processInput();
            }
        }

        private boolean accept(Authenticator.Identity proven, ConnectOptions connect) {
            if (proven == null) {
                refuseCredentials(connect);
                return false;
            }
            identity = proven;
            perms = proven.permissions() == null ? null : new ClientPermissions(proven.permissions());
            authenticated = true;
            cancelTimer(TIMER_AUTH);
            return true;
        }

        /** Wrong or missing credentials, or something other than CONNECT first: nats-server's words, then close. */
        private void refuseCredentials(ConnectOptions connect) {
            String user = connect == null ? null : connect.user();
            if (authenticator.hasUserList() && user != null && !user.isEmpty()) {
                log.error("{}authentication error - User {}", logPrefix, ProtocolTrace.quote(user));
            } else {
                log.error("{}authentication error", logPrefix);
            }
            parser.pause();
            close(CloseReason.AUTHENTICATION_VIOLATION, "Authorization Violation");
        }

        private void refusePublish(String subject) {
            String quoted = ProtocolTrace.quote(subject);
            sendErr("Permissions Violation for Publish to " + quoted);
            log.error("{}Publish Violation - {}, Subject {}", logPrefix, identity.describe(), quoted);
        }

        private void refuseSubscription(String subject, String queue, String sid) {
            String quoted = ProtocolTrace.quote(subject);
            if (queue == null) {
                sendErr("Permissions Violation for Subscription to " + quoted);
                log.error("{}Subscription Violation - {}, Subject {}, SID {}", logPrefix, identity.describe(), quoted,
                    sid);
            } else {
                String q = ProtocolTrace.quote(queue);
                sendErr("Permissions Violation for Subscription to " + quoted + " using queue " + q);
                log.error("{}Subscription Violation - {}, Subject {}, Queue: {}, SID {}", logPrefix,
                    identity.describe(), quoted, q, sid);
            }
        }

        // ---- lame duck and tracing --------------------------------------------------------------------

        /** Tells the client, from any thread, that the node is in lame duck mode (an INFO with {@code ldm}). */
        public void notifyLameDuck() {
            signal.invoke(Signal.LAME_DUCK);
        }

        /** As nats-server: only clients that understand async INFO and have finished connecting get it. */
        private void sendLameDuckInfo() {
            if (!closing && opts.protocol() >= 1 && firstPongSent) {
                outbound.appendProtocol(server.info(cid, ip, localPort));
                writeOut();
            }
        }

        private void traceIn(String op) {
            traceLog.trace("{}<<- [{}]", logPrefix, op);
        }

        private void traceOut(String op) {
            traceLog.trace("{}->> [{}]", logPrefix, op);
        }

        // ---- output -----------------------------------------------------------------------------------

        @Override
        public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
            ClientPermissions p = perms;
            if (p != null && p.deniesDelivery(msg.subject())) {
                return false;
            }
            boolean headers = opts.headers();
            Outbound.Result r = outbound.appendMessage(sub, msg, buf, off, len, headers);
            if (r == Outbound.Result.QUEUED) {
                if (p != null && p.tracksReplies() && msg.replyLength() > 0) {
                    p.replyReceived(msg.reply());
                }
                if (trace) {
                    traceOut(ProtocolTrace.msg(sub, msg, headers));
                }
                return true;
            }
            if (r == Outbound.Result.SLOW_CONSUMER && slow.compareAndSet(false, true)) {
                server.slowConsumers.increment();
                signal.invoke(Signal.SLOW_CONSUMER);
            }
            return false;
        }

        @Override
        public boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
            return outbound.holdsPublisher(waiter, nowNanos);
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
                // Messages were queued for this client: that counts as activity, as in nats-server.
                lastActivityNanos = System.nanoTime();
                writeOut();
            } else if (s == Signal.SLOW_CONSUMER) {
                log.info("{}Slow Consumer Detected: MaxPending of {} Exceeded", logPrefix, settings.maxPending());
                abort(CloseReason.SLOW_CONSUMER_PENDING_BYTES);
            } else if (s instanceof Finished f) {
                removeSubscription(f.sub());
            } else if (s instanceof CloseRequest c) {
                close(c.reason(), null);
            } else if (s instanceof CredentialsChecked c) {
                onCredentialsChecked(c);
            } else if (s == Signal.LAME_DUCK) {
                sendLameDuckInfo();
            } else if (s == Signal.RECEIVER_DRAINED) {
                recheckBlockers();
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
            if (trace) {
                traceOut("-ERR " + text);
            }
            outbound.appendProtocol(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
        }

        private void okIfVerbose() {
            if (opts.verbose()) {
                if (trace) {
                    traceOut("OK");
                }
                outbound.appendProtocol(OK);
            }
        }

        // ---- timers and closing -----------------------------------------------------------------------

        @Override
        public void onTimer(Object key) {
            if (closing) {
                return;
            }
            if (TIMER_STALL.equals(key)) {
                recheckBlockers();
            } else if (TIMER_PING.equals(key)) {
                onPingTimer();
            } else if (TIMER_WRITE_DEADLINE.equals(key)) {
                onWriteDeadlineTimer();
            } else if (TIMER_AUTH.equals(key) && !authenticated) {
                log.debug("{}Authentication Timeout", logPrefix);
                close(CloseReason.AUTHENTICATION_TIMEOUT, "Authentication Timeout");
            } else if (TIMER_TLS.equals(key) && !tls.isComplete()) {
                tls.failed("timeout");
                abort(CloseReason.TLS_HANDSHAKE_ERROR);
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
                if (trace) {
                    traceOut("PING");
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
            if (rest != null && !isClosed(out)) {
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
        public int pendingBytes() { return (int) Math.min(Integer.MAX_VALUE, outbound.pending()); }
        public Duration rtt() {
            long measured = rttNanos;
            return Duration.ofNanos(measured != 0 ? measured : connectRttNanos);
        }
        public long lastActivityNanos() { return lastActivityNanos; }
        public Instant lastActivity() { return started.plusNanos(lastActivityNanos - startNanos); }
        public CloseReason closeReason() { return closeReason; }
        /** The user the client authenticated as; empty without auth or with a token. */
        public String authorizedUser() {
            Authenticator.Identity id = identity;
            return id == null || id.user() == null ? "" : id.user();
        }
        public List<Subscription> subscriptions() { return new ArrayList<>(subs.values()); }

        /** A copy of what monitoring shows of this connection; safe to call from any thread. */
        public ConnectionInfo info() {
            return info(null);
        }

        private ConnectionInfo info(Instant stop) {
            List<ConnectionInfo.Sub> list = new ArrayList<>(subs.size());
            for (Subscription s : subs.values()) {
                list.add(new ConnectionInfo.Sub(s.subject(), s.queue(), s.sid(), s.delivered(), s.max()));
            }
            ConnectOptions o = opts;
            return new ConnectionInfo(cid, ip, port(), started, lastActivity(), stop,
                stop == null ? null : closeReason, rtt(), pendingBytes(), inMsgs, outMsgs(), inBytes, outBytes(),
                o.name(), o.lang(), o.version(), o.user(), list);
        }
    }

    /** Fails the write side so the socket is reset rather than drained. */
    static final class ConnectionAborted extends RuntimeException {
        ConnectionAborted(CloseReason reason) {
            super(reason.text(), null, false, false);
        }
    }
}
