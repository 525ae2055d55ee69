package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.persistence.StoredMessage;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One consumer of a stream: its delivery cursor, its {@link AckState}, its waiting pull requests or its push
 * target.
 *
 * <p>Delivery: a stored message goes out with its own subject and headers, and the reply subject
 * {@code $JS.ACK.<stream>.<consumer>.<delivered count>.<stream seq>.<consumer seq>.<timestamp>.<pending>}: for a
 * pull consumer to the head of the waiting requests (first in, first out), for a push consumer to its
 * {@code deliver_subject} (one member of {@code deliver_group}) while anyone listens there. Messages to redeliver
 * (ack wait passed, {@code -NAK}) go before new ones; {@code max_ack_pending} unacknowledged messages stop new
 * deliveries; a message delivered {@code max_deliver} times is given up.
 *
 * <p>Acks: the consumer is an {@link Subscriber.Kind#INTERNAL} subscriber of {@code $JS.ACK.<stream>.<consumer>.>}
 * ({@code +ACK} or empty, {@code -NAK} with an optional {@code {"delay"}}, {@code +WPI}, {@code +TERM},
 * {@code +NXT}), and with flow control of {@code $JS.FC.<stream>.<consumer>.>}; an ack with a reply subject is
 * answered with an empty message.
 *
 * <p>Threads: {@link #deliver} (acks arriving) on publisher threads, which only hand the ack over; everything
 * else on the JetStream thread, timers (redelivery, request expiry, heartbeats) included.
 */
final class Consumer implements InternalSubscriber {

    private static final byte[] NO_BYTES = new byte[0];
    /**
     * Push with flow control, as nats-server 2.9: a window that starts at 2 MiB and doubles with each answered
     * request up to 32 MiB; a request once half the window is out, no more deliveries past the window until it is
     * answered. A fixed quarter of that made the ordered replay wait on the client.
     */
    private static final long FLOW_CONTROL_START = 2L * 1024 * 1024;
    private static final long FLOW_CONTROL_LIMIT = 32L * 1024 * 1024;
    private static final long RETRY_NANOS = 50_000_000L;

    /** A message about to go out: a first delivery or a redelivery ({@code count} > 1). */
    private record Candidate(StoredMessage message, long count, boolean redelivery) {
    }

    private final JetStream js;
    private final MessageStream stream;
    private final String name;
    private final Instant created;
    private final ConsumerFiles files;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private ConsumerSpec spec;
    final AckState acks;

    private final DeliveryCursor cursor;
    /** The next consumer sequence. */
    private long dseq = 1;
    private long lastActive;
    private final ArrayDeque<PullRequest> waiting = new ArrayDeque<>();
    private long lastActivity = System.nanoTime();
    private long noInterestSince;
    private long pushBytes;
    private String flowControlReply;
    private long flowControlCount;
    private long nextHeartbeat;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private boolean dirty;
    private boolean saveScheduled;
    private boolean stopped;

    Consumer(JetStream js, MessageStream stream, ConsumerSpec spec, Instant created, ConsumerFiles files) {
        this.js = js;
        this.stream = stream;
        this.spec = spec;
        this.name = spec.name;
        this.created = created;
        this.files = files;
        this.cursor = new DeliveryCursor(stream.store(), spec.filter());
        this.acks = new AckState(spec.ackPolicy);
    }

    String name() {
        return name;
    }

    ConsumerSpec spec() {
        return spec;
    }

    Instant created() {
        return created;
    }

    MessageStream stream() {
        return stream;
    }

    String ackPrefix() {
        return "$JS.ACK." + stream.spec().name() + "." + name + ".";
    }

    /** The delivery line ({@code subject $JS.ACK....}) built in place for each message, on the JetStream thread. */
    /** Push flow control: the window now, and the bytes out when the pending request was sent. */
    private long flowControlWindow = FLOW_CONTROL_START;
    private long flowControlBytes;

    private final DeliveryLine deliveryLine = new DeliveryLine(this::ackPrefix);

    private String flowControlPrefix() {
        return "$JS.FC." + stream.spec().name() + "." + name + ".";
    }

    /** The subjects the consumer listens on: its acks, and flow control answers for a push consumer. */
    /**
     * Its acknowledgements, flow-control replies when it has flow control, and its pull requests: all subscribed here, so that in a cluster they reach it from clients on any node.
     */
    List<String> subjects() {
        List<String> subjects = new java.util.ArrayList<>(List.of(ackPrefix() + ">"));
        if (spec.flowControl) {
            subjects.add(flowControlPrefix() + ">");
        }
        subjects.add(nextSubject()); // a push consumer answers them with a 409
        return subjects;
    }

    /** {@code $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>}: where pull requests for it are published. */
    private String nextSubject() {
        return "$JS.API.CONSUMER.MSG.NEXT." + stream.spec().name() + "." + spec.name;
    }

    List<Subscription> subscriptions() {
        return subscriptions;
    }

    /** A new consumer: where its first delivery starts, by its deliver policy. */
    void start() {
        cursor.start(spec);
        acks.startAt(cursor.nextSeq());
        dirty();
        deliverAvailable();
    }

    /** A configuration change that keeps the delivery state (description, limits, ack wait, ...). */
    void update(ConsumerSpec next) {
        spec = next;
        dirty();
        deliverAvailable();
    }

    // ---- info -----------------------------------------------------------------------------------------

    ObjectNode info() {
        long numPending = cursor.recount();
        ObjectNode n = JetStream.JSON.createObjectNode();
        n.put("stream_name", stream.spec().name());
        n.put("name", name);
        n.put("created", JetStreamApi.goTime(created));
        n.set("config", spec.toJson());
        ObjectNode delivered = n.putObject("delivered");
        delivered.put("consumer_seq", dseq - 1);
        delivered.put("stream_seq", acks.deliveredStream);
        if (lastActive != 0) {
            delivered.put("last_active", JetStreamApi.goTimeNanos(lastActive));
        }
        ObjectNode floor = n.putObject("ack_floor");
        floor.put("consumer_seq", acks.floorConsumer);
        floor.put("stream_seq", acks.floorStream);
        n.put("num_ack_pending", acks.pending.size());
        n.put("num_redelivered", acks.redelivered.size());
        n.put("num_waiting", waiting.size());
        n.put("num_pending", numPending);
        if (spec.isPush() && js.hasInterest(spec.deliverSubject)) {
            n.put("push_bound", true);
        }
        return n;
    }

    // ---- delivery ---------------------------------------------------------------------------------------

    /** A {@code MSG.NEXT} request (or the rest of a {@code +NXT} ack). */
    void nextRequest(String reply, byte[] body) {
        if (spec.isPush()) {
            status(reply, "409 Consumer is push based");
            return;
        }
        long now = System.nanoTime();
        lastActivity = now;
        PullRequest r;
        try {
            r = PullRequest.parse(reply, body, now);
        } catch (IllegalArgumentException e) {
            status(reply, "400 Bad Request - " + e.getMessage());
            return;
        }
        if (waiting.size() >= spec.maxWaiting) {
            expireRequests(now);
        }
        if (r.noWait && r.expiresAt == 0 && acks.redeliver.isEmpty() && cursor.peek() == null) {
            status(reply, "404 No Messages");
            return;
        }
        if (waiting.size() >= spec.maxWaiting) {
            status(reply, "409 Exceeded MaxWaiting");
            return;
        }
        waiting.addLast(r);
        deliverAvailable();
        if (waiting.contains(r)) {
            wakeAt(r.expiresAt);
            wakeAt(r.nextHeartbeat);
        }
    }

    /** New messages were stored on the stream. */
    void stored(List<StoredMessage> messages) {
        cursor.stored(messages);
        deliverAvailable();
    }

    /** Delivers what can go now: to the waiting requests, or to the push target. */
    void deliverAvailable() {
        if (stopped) {
            return;
        }
        if (spec.isPush()) {
            push();
            return;
        }
        boolean endOfStream = false;
        while (!waiting.isEmpty()) {
            Candidate c = next();
            if (c == null) {
                endOfStream = true;
                break;
            }
            PullRequest r = waiting.peekFirst();
            long size = size(c.message());
            if (r.maxBytes > 0 && size > r.bytesLeft) {
                waiting.pollFirst();
                status(r.reply, r.delivered == 0 ? "409 Message Size Exceeds MaxBytes" : "409 Batch Completed");
                continue;
            }
            if (!send(r.reply, c)) {
                waiting.pollFirst(); // nobody listens on the request's inbox any more
                continue;
            }
            commit(c);
            r.delivered++;
            r.remaining--;
            r.bytesLeft -= size;
            if (r.heartbeatNanos > 0) {
                r.nextHeartbeat = System.nanoTime() + r.heartbeatNanos;
            }
            if (r.remaining == 0) {
                waiting.pollFirst();
            }
        }
        if (endOfStream) {
            for (Iterator<PullRequest> it = waiting.iterator(); it.hasNext();) {
                PullRequest r = it.next();
                if (r.noWait && r.delivered > 0) {
                    it.remove();
                    timeout(r);
                } else if (r.noWait && r.expiresAt == 0) {
                    it.remove(); // held by max_ack_pending: a no-wait request does not wait
                    status(r.reply, "404 No Messages");
                }
            }
        }
    }

    /** Push: deliver while someone listens and flow control allows; retry shortly when nobody listens. */
    private void push() {
        while (flowControlReply == null || pushBytes < flowControlWindow) {
            Candidate c = next();
            if (c == null) {
                break;
            }
            if (!send(spec.deliverSubject, c)) {
                if (noInterestSince == 0) {
                    noInterestSince = System.nanoTime();
                }
                wakeAt(System.nanoTime() + RETRY_NANOS);
                return;
            }
            noInterestSince = 0;
            commit(c);
            if (spec.flowControl) {
                pushBytes += size(c.message());
            }
            if (spec.flowControl && flowControlReply == null && pushBytes >= flowControlWindow / 2) {
                flowControlBytes = pushBytes;
                flowControlReply = flowControlPrefix() + (++flowControlCount);
                js.deliver(spec.deliverSubject, spec.deliverSubject, flowControlReply,
                    "NATS/1.0 100 FlowControl Request\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), NO_BYTES);
            }
        }
        if (spec.heartbeatNanos > 0 && nextHeartbeat == 0) {
            nextHeartbeat = System.nanoTime() + spec.heartbeatNanos;
            wakeAt(nextHeartbeat);
        }
    }

    /** The next message to deliver, redeliveries first; null when none can go now. */
    private Candidate next() {
        while (!acks.redeliver.isEmpty()) {
            long seq = acks.redeliver.first();
            long count = acks.deliveries(seq) + 1;
            StoredMessage m = acks.pending.containsKey(seq) ? stream.store().get(seq) : null;
            if (m != null && (spec.maxDeliver <= 0 || count <= spec.maxDeliver)) {
                return new Candidate(m, count, true);
            }
            acks.redeliver.pollFirst(); // gone from the stream, or delivered max_deliver times: given up
            acks.drop(seq);
            dirty();
        }
        if (acks.tracks && spec.maxAckPending > 0 && acks.pending.size() >= spec.maxAckPending) {
            return null;
        }
        StoredMessage m = cursor.peek();
        return m == null ? null : new Candidate(m, 1, false);
    }

    private static long size(StoredMessage m) {
        return m.subject().length() + m.payload().length + (m.headers() == null ? 0 : m.headers().length);
    }

    private boolean send(String to, Candidate c) {
        StoredMessage m = c.message();
        long pendingAfter = c.redelivery() ? cursor.pending() : Math.max(0, cursor.pending() - 1);
        byte[] payload = spec.headersOnly ? NO_BYTES : m.payload();
        if (deliveryLine.write(m.subject(), c.count(), m.seq(), dseq, m.timestamp(), pendingAfter)) {
            return js.deliver(to, deliveryLine.args(m.headers(), payload), m.headers(), payload);
        }
        String ack = ackPrefix() + c.count() + "." + m.seq() + "." + dseq + "." + m.timestamp() + "." + pendingAfter;
        return js.deliver(to, m.subject(), ack, m.headers(), payload);
    }

    private void commit(Candidate c) {
        long seq = c.message().seq();
        long now = System.nanoTime();
        long deadline = spec.acks() ? now + spec.ackWaitFor(c.redelivery() ? c.count() : 1) : 0;
        if (c.redelivery()) {
            acks.redelivered(seq, dseq, c.count(), deadline);
        } else {
            cursor.advancePast(seq);
            acks.delivered(seq, dseq, deadline);
            if (!acks.tracks) {
                stream.consumed(this, seq); // with ack policy none, delivered is done
            }
        }
        dseq++;
        lastActive = JetStream.nowNanos();
        lastActivity = now;
        if (spec.heartbeatNanos > 0) {
            nextHeartbeat = now + spec.heartbeatNanos;
        }
        wakeAt(deadline);
        dirty();
    }

    // ---- acks and flow control --------------------------------------------------------------------------

    /** Heard of by the other nodes of a cluster: acknowledgements and pull requests come from clients on any node. */
    @Override
    public boolean sharedWithCluster() {
        return true;
    }

    @Override
    public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        byte[] body = InternalSubscriber.body(msg, buf, off, len);
        String subject = msg.subject();
        String reply = msg.replyLength() > 0 ? msg.reply() : null;
        js.execute(() -> received(subject, reply, body));
        return true;
    }

    private void received(String subject, String reply, byte[] body) {
        if (stopped) {
            return;
        }
        if (subject.startsWith("$JS.API.CONSUMER.MSG.NEXT.")) {
            if (reply != null) {
                nextRequest(reply, body);
            }
            return;
        }
        lastActivity = System.nanoTime();
        if (subject.startsWith("$JS.FC.")) {
            if (subject.equals(flowControlReply)) {
                flowControlReply = null;
                pushBytes = Math.max(0, pushBytes - flowControlBytes); // what went out before the request
                flowControlWindow = Math.min(FLOW_CONTROL_LIMIT, flowControlWindow * 2);
                deliverAvailable();
            }
            return;
        }
        String[] t = subject.split("\\.");
        long seq;
        try {
            seq = t.length == 9 ? Long.parseLong(t[5]) : -1;
        } catch (NumberFormatException e) {
            seq = -1;
        }
        if (seq < 0) {
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        boolean answer = reply != null;
        boolean changed = false;
        if (text.isEmpty() || text.equals("+ACK") || text.equals("+OK")) {
            changed = ack(seq);
        } else if (text.startsWith("+NXT")) {
            changed = ack(seq);
            if (reply != null) {
                nextRequest(reply, text.substring(4).getBytes(StandardCharsets.UTF_8));
            }
            answer = false;
        } else if (text.startsWith("-NAK")) {
            long delay = nakDelay(text.substring(4).trim());
            long deadline = delay > 0 ? System.nanoTime() + delay : 0;
            acks.nak(seq, deadline);
            wakeAt(deadline);
        } else if (text.equals("+WPI")) {
            acks.progress(seq, System.nanoTime() + spec.ackWaitNanos);
        } else if (text.equals("+TERM")) {
            changed = acks.drop(seq);
            if (changed) {
                stream.consumed(this, seq);
            }
        }
        if (changed) {
            dirty();
        }
        if (answer) {
            js.deliver(reply, reply, null, null, NO_BYTES);
        }
        deliverAvailable();
    }

    /** {@code +ACK} of {@code seq} (with ack policy all, of everything up to it), and retention after it. */
    private boolean ack(long seq) {
        List<Long> done = acks.explicit ? List.of(seq) : List.copyOf(acks.pending.headMap(seq, true).keySet());
        if (!acks.ack(seq)) {
            return false;
        }
        for (long s : done) {
            stream.consumed(this, s);
        }
        return true;
    }

    /**
     * Whether this consumer has still to be given, or to acknowledge, {@code sseq} (whose subject is
     * {@code subject}): what interest retention asks of every consumer before a message goes.
     */
    boolean needsAck(long sseq, String subject) {
        if (!spec.wants(subject)) {
            return false;
        }
        if (sseq <= acks.floorStream) {
            return false;
        }
        if (!acks.explicit || sseq > acks.deliveredStream) {
            return true; // ack none or all: everything above the floor; explicit: not delivered yet
        }
        return acks.pending.containsKey(sseq);
    }

    private static long nakDelay(String arg) {
        if (!arg.startsWith("{")) {
            return 0;
        }
        try {
            return JetStream.JSON.readTree(arg).path("delay").asLong(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    // ---- timers -----------------------------------------------------------------------------------------

    /** Makes sure {@link #wake} runs no later than {@code at} ({@link System#nanoTime}; 0 and MAX for never). */
    private void wakeAt(long at) {
        if (at == 0 || at == Long.MAX_VALUE || stopped || timerAt != Long.MAX_VALUE && at - timerAt >= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = js.schedule(this::wake, Math.max(0, at - System.nanoTime()));
    }

    /** Due redeliveries, expired requests and heartbeats; then the next wake-up. */
    private void wake() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        timerAt = Long.MAX_VALUE;
        timer = null;
        long next = acks.due(now);
        expireRequests(now);
        deliverAvailable();
        for (PullRequest r : waiting) {
            if (r.nextHeartbeat != 0 && now - r.nextHeartbeat >= 0) {
                heartbeat(r.reply);
                r.nextHeartbeat = now + r.heartbeatNanos;
            }
            next = earliest(next, r.expiresAt);
            next = earliest(next, r.nextHeartbeat);
        }
        if (spec.isPush() && spec.heartbeatNanos > 0) {
            if (now - nextHeartbeat >= 0) {
                if (heartbeat(spec.deliverSubject)) {
                    noInterestSince = 0;
                } else if (noInterestSince == 0) {
                    noInterestSince = now;
                }
                nextHeartbeat = now + spec.heartbeatNanos;
            }
            next = earliest(next, nextHeartbeat);
        }
        wakeAt(next);
    }

    private static long earliest(long a, long b) {
        return b == 0 || b == Long.MAX_VALUE ? a : a == Long.MAX_VALUE || b - a < 0 ? b : a;
    }

    private void expireRequests(long now) {
        for (Iterator<PullRequest> it = waiting.iterator(); it.hasNext();) {
            PullRequest r = it.next();
            if (r.expired(now)) {
                it.remove();
                timeout(r);
            }
        }
    }

    /** An ephemeral without requests, acks or (push) anyone listening for its inactive threshold goes away. */
    boolean inactive(long now) {
        if (spec.isDurable() || spec.inactiveThresholdNanos <= 0) {
            return false;
        }
        if (spec.isPush()) {
            if (js.hasInterest(spec.deliverSubject)) {
                noInterestSince = 0;
                return false;
            }
            if (noInterestSince == 0) {
                noInterestSince = now;
            }
            return now - noInterestSince > spec.inactiveThresholdNanos;
        }
        return waiting.isEmpty() && now - lastActivity > spec.inactiveThresholdNanos;
    }

    // ---- status messages --------------------------------------------------------------------------------

    private void timeout(PullRequest r) {
        header(r.reply, "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: " + r.remaining
            + "\r\nNats-Pending-Bytes: " + r.bytesLeft + "\r\n\r\n");
    }

    private boolean heartbeat(String to) {
        String stalled = flowControlReply == null ? "" : "Nats-Consumer-Stalled: " + flowControlReply + "\r\n";
        return header(to, "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: " + (dseq - 1)
            + "\r\nNats-Last-Stream: " + acks.deliveredStream + "\r\n" + stalled + "\r\n");
    }

    private void status(String to, String status) {
        header(to, "NATS/1.0 " + status + "\r\n\r\n");
    }

    private boolean header(String to, String block) {
        return js.deliver(to, to, null, block.getBytes(StandardCharsets.ISO_8859_1), NO_BYTES);
    }

    // ---- lifecycle and state ------------------------------------------------------------------------------

    private void dirty() {
        if (files == null) {
            return;
        }
        dirty = true;
        if (!saveScheduled) {
            saveScheduled = true;
            js.schedule(this::save, ConsumerFiles.FLUSH_DELAY_NANOS);
        }
    }

    /** Writes the ack state when it changed since the last write. */
    void save() {
        saveScheduled = false;
        if (files != null && dirty && !stopped) {
            dirty = false;
            var state = ConsumerFiles.stateJson(acks);
            files.writeState(state);
            if (stream.replica() != null && stream.replica().isLeader()) {
                stream.replica().proposeQuietly(StreamReplication.encodeConsumerState(name(), state));
            }
        }
    }

    /** After a restart: the state read back; whatever was unacknowledged is redelivered first. */
    void restore(ConsumerFiles.State s) {
        acks.restore(s);
        cursor.resumeAfter(s.streamSeq());
        dseq = s.consumerSeq() + 1;
    }

    /** This node no longer leads the stream: waiting pull requests are told, the state is kept for the next. */
    void leadershipLost() {
        for (PullRequest r : waiting) {
            status(r.reply, "409 Leadership Change");
        }
        waiting.clear();
        stop(false);
    }

    /** Stops deliveries and timers; waiting requests are told when the consumer is deleted. */
    void stop(boolean deleted) {
        if (!deleted) {
            save();
        }
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (deleted) {
            for (PullRequest r : waiting) {
                status(r.reply, "409 Consumer Deleted");
            }
        }
        waiting.clear();
    }
}
