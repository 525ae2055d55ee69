package io.meshery.broker.server;

import io.meshery.broker.protocol.ParseError;
import io.meshery.broker.protocol.ProtocolParser;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.security.Authenticator;
import io.meshery.broker.security.ClientPermissions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * One client connection: its socket's bytes come in as messages to its actor, {@link Client}, which parses them;
 * what it and others queue for the client is written by {@link ClientSocket}. One actor per accepted socket.
 *
 * <p>The message path stays on this connection's thread of control: a PUB is parsed from the read buffer,
 * matched against the shared {@link io.meshery.broker.routing.SubjectIndex} (no actor hop) and appended to
 * each receiver's {@link Outbound}. Each receiver touched by a read is flushed once, after the whole read
 * is processed. So messages from one publisher reach every subscriber in publish order.
 *
 * <p>A SUB goes to the shard that owns its subject, and this connection reads no further until the shard
 * confirms: whatever the client sends after a SUB sees the subscription in place.
 */
public final class ClientConnection {

    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Duration FIRST_PING = Duration.ofSeconds(2);

    private static final String TIMER_PING = "ping";
    private static final String TIMER_AUTH = "auth";
    private static final String TIMER_TLS = "tls-handshake";
    /** Where bcrypt checks run, off the I/O threads. */
    private static final String BLOCKING_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";

    private final Server server;
    private final InetSocketAddress remote;
    private final int localPort;
    private final long cid;
    private final ClientSocket socket;
    private final Outbound outbound;
    private final TlsHandshake tls;

    /**
     * A connection accepted on {@code localPort}; behind TLS, {@code tls} tells when the handshake is done (the
     * socket sends INFO in plain text before it).
     */
    ClientConnection(Server server, InetSocketAddress remote, int localPort, long cid, ClientSocket socket,
                     Outbound outbound, TlsHandshake tls) {
        this.server = server;
        this.remote = remote;
        this.localPort = localPort;
        this.cid = cid;
        this.socket = socket;
        this.outbound = outbound;
        this.tls = tls;
    }

    /** How to start the connection's actor. */
    Props props() {
        return Props.create(Client.class, () -> new Client(cid));
    }

    /**
     * The NATS half of a client connection (the transport half is {@link ConnectionLogic}): CONNECT and its
     * credentials, PUB through the node's {@link Fanout}, SUB and UNSUB through the shards, PING and PONG, the
     * deliveries other publishers hand it, lame duck notices, and what monitoring sees of the client.
     */
    public final class Client extends ConnectionLogic implements ProtocolParser.Handler, Subscriber {

        private final long cid;
        private final String ip = remote.getAddress().getHostAddress();
        private final ProtocolParser parser =
            new ProtocolParser(this, settings.limits().maxControlLine(), settings.limits().maxPayload());
        private final ClientSubscriptions subs = new ClientSubscriptions(server.shards());
        private final ClientAuth auth = new ClientAuth(settings.security().authenticator(), logPrefix);
        /** Delivers what this connection publishes; each receiver is flushed once per read. */
        private final Fanout fanout = server.newFanout();
        private final Instant started = Instant.now();
        /** {@link #started} on the monotonic clock, to turn activity times into wall-clock times. */
        private final long startNanos = System.nanoTime();
        private volatile ConnectOptions opts = ConnectOptions.DEFAULTS;
        private org.apache.pekko.actor.typed.ActorRef<SubjectShard.Subscribed> self;
        private boolean awaitingSubscribe;
        private boolean awaitingCredentialsCheck;
        private boolean connectReceived;
        private boolean firstPongSent;
        private boolean registered;

        private long batchMsgs;
        private long batchBytes;
        private volatile long inMsgs;
        private volatile long inBytes;
        private volatile long rttNanos;
        /** Accept to CONNECT: the round trip monitoring shows until a PING has measured one (as nats-server). */
        private volatile long connectRttNanos;
        private long pingSentNanos;
        private int pingsOut;

        Client(long cid) {
            super(ClientConnection.this.server, ClientConnection.this.socket, ClientConnection.this.outbound,
                remote.getAddress().getHostAddress() + ":" + remote.getPort() + " - cid:" + cid + " - ", tls);
            this.cid = cid;
        }

        @Override
        public void preStart() {
            self = Adapter.toTyped(getSelf());
            socket.start(getSelf());
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
            if (auth.isRequired()) {
                scheduleOnce(TIMER_AUTH, settings.timings().authTimeout());
            }
            Duration first = settings.timings().pingInterval().compareTo(FIRST_PING) < 0 ? settings.timings().pingInterval() : FIRST_PING;
            long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, first.toMillis() / 5));
            scheduleOnce(TIMER_PING, first.plusMillis(jitter));
            writeOut();
        }

        @Override
        public void postStop() {
            if (closeReason == null) {
                closeReason = CloseReason.SERVER_SHUTDOWN;
            }
            ConnectionInfo last = registered ? info(Instant.now()) : null;
            super.postStop();
            subs.removeAll();
            if (registered) {
                server.unregister(this);
                server.remember(last);
                log.debug("{}Client connection closed: {}", logPrefix, closeReason.text());
            }
        }

        // ---- input ------------------------------------------------------------------------------------

        @Override
        int parse(byte[] buf, int off, int len) {
            if (parser.atOperationStart() && !auth.mayStartWith(buf[off])) {
                auth.logRefusal(null); // as nats-server: the first operation must be CONNECT
                refuseCredentials();
                return 0;
            }
            return parser.parse(buf, off, len);
        }

        @Override
        boolean readPaused() {
            return awaitingSubscribe || awaitingCredentialsCheck;
        }

        @Override
        void endBatch(List<Subscriber> blockers) {
            if (batchMsgs > 0) {
                inMsgs += batchMsgs;
                inBytes += batchBytes;
                server.inMsgs.add(batchMsgs);
                server.inBytes.add(batchBytes);
                batchMsgs = 0;
                batchBytes = 0;
            }
            fanout.endBatch(this, this, blockers);
        }

        // ---- the protocol -----------------------------------------------------------------------------

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
            if (auth.isRequired() && !checkCredentials(parsed)) {
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
            ClientPermissions p = auth.permissions();
            if (p != null && !p.canPublish(subject)) {
                sendErr(auth.refusePublish(subject));
                return;
            }
            okIfVerbose();
            if (invalid) {
                return;
            }
            boolean matched = fanout.publish(this, o.echo(), false, subject, args, buf, off, len);
            if (!matched && args.replyLength() > 0 && o.noResponders()) {
                sendNoResponders(args.reply());
            }
        }

        /** The 503 status a requester gets when nobody listens on the subject, to its own reply subscription. */
        private void sendNoResponders(String reply) {
            byte[] status = "NATS/1.0 503\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            PubArgs msg = PubArgs.of(reply, null, status.length, status.length);
            Subscription target = subs.replyTarget(reply);
            if (target != null && target.countDelivery()) {
                deliver(target, msg, status, 0, status.length);
            }
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            if (trace) {
                traceIn("SUB " + subject + (queue == null ? " " : " " + queue + " ") + sid);
            }
            ClientPermissions p = auth.permissions();
            if (p != null && !p.canSubscribe(subject, queue)) {
                sendErr(auth.refuseSubscription(subject, queue, sid));
                return;
            }
            if (!Subjects.isValidSubscribe(subject)) {
                sendErr("Invalid Subject");
                return;
            }
            if (subs.has(sid)) {
                okIfVerbose();
                return;
            }
            int max = settings.limits().maxSubscriptions();
            if (max > 0 && subs.size() >= max) {
                log.info("{}Maximum subscriptions exceeded", logPrefix);
                sendErr("maximum subscriptions exceeded");
                return;
            }
            awaitingSubscribe = true;
            parser.pause();
            subs.add(new Subscription(this, subject, queue, sid), self);
        }

        @Override
        void onProtocolMessage(Object msg) {
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
            subs.remove(sub);
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

        /**
         * Checks the credentials of a CONNECT. Returns true when they are good now; false when they were refused
         * (the connection is closing) or when the check, a bcrypt computation, runs on the blocking dispatcher:
         * the parser waits for it as it waits for a SUB, and {@link #onCredentialsChecked} carries on.
         */
        private boolean checkCredentials(ConnectOptions connect) {
            if (!auth.isSlow()) {
                return accept(auth.check(connect), connect);
            }
            awaitingCredentialsCheck = true;
            parser.pause();
            Executor blocking = getContext().getSystem().dispatchers().lookup(BLOCKING_DISPATCHER);
            blocking.execute(() -> me.tell(new ConnectionSignal.CredentialsChecked(connect, auth.check(connect)),
                ActorRef.noSender()));
            return false;
        }

        private void onCredentialsChecked(ConnectionSignal.CredentialsChecked checked) {
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
            if (!auth.accept(proven, connect)) {
                refuseCredentials();
                return false;
            }
            cancelTimer(TIMER_AUTH);
            return true;
        }

        /** Wrong or missing credentials, or something other than CONNECT first: nats-server's words, then close. */
        private void refuseCredentials() {
            parser.pause();
            close(CloseReason.AUTHENTICATION_VIOLATION, "Authorization Violation");
        }

        // ---- lame duck and tracing --------------------------------------------------------------------

        /** Tells the client, from any thread, that the node is in lame duck mode (an INFO with {@code ldm}). */
        public void notifyLameDuck() {
            me.tell(ConnectionSignal.INFO_CHANGED, ActorRef.noSender());
        }

        /** Sends the client, from any thread, the node's INFO as it is now (the cluster's nodes changed). */
        public void notifyInfoChanged() {
            me.tell(ConnectionSignal.INFO_CHANGED, ActorRef.noSender());
        }

        /** As nats-server: only clients that understand async INFO and have finished connecting get it. */
        private void sendInfoUpdate() {
            if (!closing && opts.protocol() >= 1 && firstPongSent) {
                outbound.appendProtocol(server.info(cid, ip, localPort));
                writeOut();
            }
        }

        // ---- output -----------------------------------------------------------------------------------

        @Override
        public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
            ClientPermissions p = auth.permissions();
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
            if (r == Outbound.Result.SLOW_CONSUMER && countSlowConsumer()) {
                me.tell(ConnectionSignal.SLOW_CONSUMER, ActorRef.noSender());
            }
            return false;
        }

        @Override
        public boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
            return outbound.holdsPublisher(waiter, nowNanos);
        }

        @Override
        public void flush() {
            // Messages were queued for this client: that counts as activity, as in nats-server.
            lastActivityNanos = System.nanoTime();
            writeOut();
        }

        @Override
        public void subscriptionFinished(Subscription sub) {
            me.tell(new ConnectionSignal.SubscriptionFinished(sub), ActorRef.noSender());
        }

        @Override
        void onProtocolSignal(ConnectionSignal s) {
            if (s == ConnectionSignal.INFO_CHANGED) {
                sendInfoUpdate();
            } else if (s instanceof ConnectionSignal.SubscriptionFinished f) {
                removeSubscription(f.sub());
            } else if (s instanceof ConnectionSignal.CredentialsChecked c) {
                onCredentialsChecked(c);
            }
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
        void onProtocolTimer(Object key) {
            if (TIMER_PING.equals(key)) {
                onPingTimer();
            } else if (TIMER_AUTH.equals(key) && !auth.isAuthenticated()) {
                log.debug("{}Authentication Timeout", logPrefix);
                close(CloseReason.AUTHENTICATION_TIMEOUT, "Authentication Timeout");
            } else if (TIMER_TLS.equals(key) && handshakeFailed()) {
                tls.failed("timeout");
                abort(CloseReason.TLS_HANDSHAKE_ERROR);
            }
        }

        private void onPingTimer() {
            long now = System.nanoTime();
            long interval = settings.timings().pingInterval().toNanos();
            boolean recentlyActive = now - lastActivityNanos < interval && rttNanos != 0;
            if (!recentlyActive) {
                if (pingsOut + 1 > settings.timings().pingMax()) {
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
            scheduleOnce(TIMER_PING, settings.timings().pingInterval());
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
        public String authorizedUser() { return auth.authorizedUser(); }
        public List<Subscription> subscriptions() { return subs.list(); }

        /** A copy of what monitoring shows of this connection; safe to call from any thread. */
        public ConnectionInfo info() {
            return info(null);
        }

        private ConnectionInfo info(Instant stop) {
            List<ConnectionInfo.Sub> list = subs.describe();
            ConnectOptions o = opts;
            return new ConnectionInfo(cid, ip, port(), started, lastActivity(), stop,
                stop == null ? null : closeReason, rtt(), pendingBytes(), inMsgs, outMsgs(), inBytes, outBytes(),
                o.name(), o.lang(), o.version(), o.user(), list);
        }
    }
}
