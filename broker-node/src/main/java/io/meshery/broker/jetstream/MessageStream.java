package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.persistence.StoreException;
import io.meshery.broker.persistence.StoredMessage;
import io.meshery.broker.persistence.StreamStore;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One stream: its configuration, its store, and the capture of what is published on its subjects.
 *
 * <p>The stream is an {@link Subscriber.Kind#INTERNAL} subscriber of its subjects. A publisher's thread only
 * copies the message into the stream's queue ({@link #deliver}); the JetStream thread stores queued messages in
 * batches (one force of the store for the batch, group commit), then sends each publisher that asked for it
 * (a reply subject) its PubAck: {@code {"stream","seq"}}, with {@code "duplicate":true} for a repeated
 * {@code Nats-Msg-Id} inside the duplicate window, or an {@code error} when a {@code Nats-Expected-*} header,
 * a limit or the store refuses it. A PubAck therefore means the message is stored as durably as the store's
 * sync policy says (by default: forced to disk).
 *
 * <p>Threads: {@link #deliver} and {@link #flush} on any publisher's thread; everything else on the JetStream
 * thread.
 */
final class MessageStream implements InternalSubscriber {

    /** A message as it was published, copied off the publisher's read buffer. */
    record Incoming(String subject, String reply, byte[] headers, byte[] payload, long timestamp,
                    Headers.Publish publish) {

        /** A message read back from a replicated stream's log: its headers are read again. */
        static Incoming of(String subject, String reply, byte[] headers, byte[] payload, long timestamp) {
            return new Incoming(subject, reply, headers, payload, timestamp, Headers.Publish.of(headers));
        }

        int size() {
            return payload.length + (headers == null ? 0 : headers.length);
        }
    }

    private final JetStream js;
    /** {@code {"stream":"<name>","seq":}, the start of every PubAck. */
    private final String ackPrefix;
    private final StreamStore store;
    private final Instant created;
    private volatile StreamSpec spec;
    private final List<Subscription> captures = new ArrayList<>();
    private final ConcurrentLinkedQueue<Incoming> queue = new ConcurrentLinkedQueue<>();
    /** Payload and header bytes queued and not stored yet; above {@link #HOLD_AT} publishers wait (flow control). */
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentLinkedQueue<FlowWaiter> waiters = new ConcurrentLinkedQueue<>();
    static final long HOLD_AT = 8L << 20;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Nats-Msg-Id to sequence, oldest first, within the duplicate window; and when each was stored. */
    private final LinkedHashMap<String, long[]> recentIds = new LinkedHashMap<>();
    /** The id stored last and its sequence, for {@code Nats-Expected-Last-Msg-Id}. */
    private String lastId;
    private long lastIdSeq;
    /** The consumers by name; read by monitoring, changed on the JetStream thread. */
    private final Map<String, Consumer> consumers = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** The stream's Raft group when it is replicated ({@code num_replicas} above 1), or null. */
    private final StreamReplication.Group replica;
    /** Whether this node sends the PubAcks of what it stores: false on a follower of a replicated stream. */
    private boolean acking = true;
    /** What the current drain stored, for the consumers (only collected when there are consumers). */
    private final List<StoredMessage> stored = new ArrayList<>();

    MessageStream(JetStream js, StreamSpec spec, StreamStore store, Instant created) {
        this(js, spec, store, created, null);
    }

    MessageStream(JetStream js, StreamSpec spec, StreamStore store, Instant created, StreamReplication.Group replica) {
        this.js = js;
        this.replica = replica;
        this.ackPrefix = "{\"stream\":" + JetStream.JSON.valueToTree(spec.name()).toString() + ",\"seq\":";
        this.spec = spec;
        this.store = store;
        this.created = created;
        rebuildRecentIds();
    }

    StreamSpec spec() {
        return spec;
    }

    StreamStore store() {
        return store;
    }

    Instant created() {
        return created;
    }

    List<Subscription> captures() {
        return captures;
    }

    Map<String, Consumer> consumers() {
        return consumers;
    }

    /** The stream's Raft group, or null when it is not replicated. */
    StreamReplication.Group replica() {
        return replica;
    }

    void update(StreamSpec next) {
        store.updateLimits(next.limits());
        spec = next;
    }

    // ---- capture (publisher threads) ------------------------------------------------------------------

    /** Heard of by the other nodes of a cluster: a message published on any node of a cluster is captured. */
    @Override
    public boolean sharedWithCluster() {
        return true;
    }

    @Override
    public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        int hdr = msg.hasHeaders() ? msg.headerSize() : 0;
        byte[] headers = hdr > 0 ? java.util.Arrays.copyOfRange(buf, off, off + hdr) : null;
        byte[] payload = java.util.Arrays.copyOfRange(buf, off + hdr, off + len);
        // the headers are read here, on the publisher's thread, once: the JetStream thread is the narrow one
        queue.add(new Incoming(msg.subject(), msg.replyLength() > 0 ? msg.reply() : null, headers, payload,
            JetStream.nowNanos(), Headers.Publish.of(headers)));
        queuedBytes.addAndGet(len);
        return true;
    }

    /** A publisher waits while more than {@link #HOLD_AT} bytes wait to be stored; woken after the next batch. */
    @Override
    public boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
        if (queuedBytes.get() <= HOLD_AT) {
            return false;
        }
        waiters.add(waiter);
        if (queuedBytes.get() <= HOLD_AT && waiters.remove(waiter)) {
            return false; // the writer drained meanwhile
        }
        return true;
    }

    @Override
    public void flush() {
        if (!drainScheduled.getAndSet(true)) {
            js.execute(this::drain);
        }
    }

    // ---- storing (the JetStream thread) ---------------------------------------------------------------

    /**
     * Stores what is queued, in batches that share one force, and acknowledges each message; a replicated
     * stream's leader hands them to the stream's Raft group instead, and stores them as every replica does,
     * once they are committed ({@link #applyPublished}).
     */
    private void drain() {
        drainScheduled.set(false);
        if (replica != null) {
            replica.propose(this, queue, queuedBytes);
            wakeWaiters();
            return;
        }
        List<Incoming> all = new ArrayList<>();
        Incoming m;
        while ((m = queue.poll()) != null) {
            queuedBytes.addAndGet(-(m.payload().length + (m.headers() == null ? 0 : m.headers().length)));
            all.add(m);
        }
        process(all);
        wakeWaiters();
    }

    /** Publishers held while the queue was full may go on if it has room now. */
    void wakeWaiters() {
        if (queuedBytes.get() > HOLD_AT) {
            return;
        }
        FlowWaiter w;
        while ((w = waiters.poll()) != null) {
            w.receiverDrained();
        }
    }

    /**
     * Messages committed by the stream's Raft group, on every replica in the same order: the same checks and
     * store as a single node's ({@link #process}); the PubAcks only from the leader ({@code ack}).
     */
    void applyPublished(List<Incoming> messages, boolean ack) {
        acking = ack;
        try {
            process(messages);
        } finally {
            acking = true;
        }
    }

    /** De-duplicates, checks, stores in batches and acknowledges {@code messages}, in order. */
    private void process(List<Incoming> messages) {
        List<Incoming> batch = new ArrayList<>();
        Set<String> batchIds = new HashSet<>();
        for (Incoming m : messages) {
            String id = m.publish().msgId();
            boolean checks = m.publish().hasExpectations();
            if (checks || id != null && batchIds.contains(id)) {
                storeBatch(batch);
                batch.clear();
                batchIds.clear();
            }
            if (checks) {
                storeChecked(m, id);
            } else if (!acknowledgedDuplicate(m, id)) {
                batch.add(m);
                if (id != null) {
                    batchIds.add(id);
                }
            }
        }
        storeBatch(batch);
        if (!stored.isEmpty()) {
            List<StoredMessage> news = List.copyOf(stored);
            stored.clear();
            for (Consumer c : consumers.values()) {
                c.stored(news);
            }
        }
    }

    private void storeBatch(List<Incoming> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<StreamStore.Message> messages = new ArrayList<>(batch.size());
        for (Incoming m : batch) {
            messages.add(new StreamStore.Message(m.subject(), m.headers(), m.payload(), m.timestamp()));
        }
        long[] seqs;
        try {
            seqs = store.appendBatch(messages);
        } catch (StoreException e) {
            for (Incoming m : batch) { // one by one, so each gets its own answer
                storeOne(m, m.publish().msgId());
            }
            return;
        }
        for (int i = 0; i < seqs.length; i++) {
            Incoming m = batch.get(i);
            remember(m.publish().msgId(), seqs[i], m.timestamp());
            noteStored(seqs[i], m);
            ack(m, seqs[i], false);
        }
    }

    /** A message with {@code Nats-Expected-*} headers, checked against the stream as it is now. */
    private void storeChecked(Incoming m, String id) {
        Headers.Publish h = m.publish();
        String expectedStream = h.expectedStream();
        if (expectedStream != null && !expectedStream.equals(spec.name())) {
            nack(m, ApiError.expectedStreamMismatch());
            return;
        }
        if (acknowledgedDuplicate(m, id)) {
            return;
        }
        String lastSeq = h.expectedLastSeq();
        if (lastSeq != null) {
            long last = store.state().lastSeq();
            if (parse(lastSeq) != last) {
                nack(m, ApiError.wrongLastSequence(last));
                return;
            }
        }
        String lastSubjectSeq = h.expectedLastSubjectSeq();
        if (lastSubjectSeq != null) {
            StoredMessage last = store.lastBySubject(m.subject()::equals);
            long seq = last == null ? 0 : last.seq();
            if (parse(lastSubjectSeq) != seq) {
                nack(m, ApiError.wrongLastSequence(seq));
                return;
            }
        }
        String lastId = h.expectedLastMsgId();
        if (lastId != null) {
            String actual = lastMsgId();
            if (!lastId.equals(actual)) {
                nack(m, ApiError.wrongLastMsgId(actual == null ? "" : actual));
                return;
            }
        }
        storeOne(m, id);
    }

    private void storeOne(Incoming m, String id) {
        try {
            long seq = store.append(m.subject(), m.headers(), m.payload(), m.timestamp());
            remember(id, seq, m.timestamp());
            noteStored(seq, m);
            ack(m, seq, false);
        } catch (StoreException.MessageTooLarge e) {
            nack(m, ApiError.messageTooLarge());
        } catch (StoreException e) {
            js.log().warn("JetStream stream '{}' did not store a message: {}", spec.name(), e.getMessage());
            nack(m, ApiError.storeFailed(e.getMessage()));
        }
    }

    private void noteStored(long seq, Incoming m) {
        if (spec.retention().equals("interest") && !stillWanted(seq, m.subject(), null)) {
            drop(seq); // interest retention: no consumer wants it (nats-server also acks and drops it)
            return;
        }
        if (!consumers.isEmpty()) {
            stored.add(new StoredMessage(seq, m.subject(), m.headers(), m.payload(), m.timestamp()));
        }
    }

    /**
     * Interest and work-queue retention, after consumer {@code by} is done with {@code seq} (acknowledged or
     * terminated it, or delivered it without acks): a work queue drops the message at once, an interest stream once
     * no other consumer still needs it. Nothing changes under limits retention. On the JetStream thread.
     */
    void consumed(Consumer by, long seq) {
        String retention = spec.retention();
        if (retention.equals("limits")) {
            return;
        }
        if (retention.equals("workqueue")) {
            drop(seq);
            return;
        }
        StoredMessage m = store.get(seq);
        if (m != null && !stillWanted(seq, m.subject(), by)) {
            drop(seq);
        }
    }

    /**
     * Removes a message retention no longer keeps. Of a replicated stream, only the node running its consumers (the
     * leader, capturing) can judge that, and the delete goes through the log to every replica.
     */
    private void drop(long seq) {
        if (replica == null) {
            store.delete(seq);
        } else if (!captures.isEmpty()) {
            replica.proposeQuietly(StreamReplication.encodeDelete(seq));
        }
    }

    /** Whether a consumer other than {@code except} has still to be given, or to acknowledge, {@code seq}. */
    private boolean stillWanted(long seq, String subject, Consumer except) {
        for (Consumer c : consumers.values()) {
            if (c != except && c.needsAck(seq, subject)) {
                return true;
            }
        }
        return false;
    }

    /** A repeated {@code Nats-Msg-Id} inside the window: acknowledged with the first copy's sequence, not stored. */
    private boolean acknowledgedDuplicate(Incoming m, String id) {
        if (id == null) {
            return false;
        }
        expireIds(m.timestamp());
        long[] seen = recentIds.get(id);
        if (seen == null) {
            return false;
        }
        ack(m, seen[0], true);
        return true;
    }

    private void remember(String id, long seq, long timestamp) {
        if (id != null) {
            recentIds.put(id, new long[] {seq, timestamp});
            lastId = id;
            lastIdSeq = seq;
        }
    }

    private void expireIds(long now) {
        long cutoff = now - spec.duplicateWindowNanos();
        Iterator<Map.Entry<String, long[]>> it = recentIds.entrySet().iterator();
        while (it.hasNext() && it.next().getValue()[1] < cutoff) {
            it.remove();
        }
    }

    /** The {@code Nats-Msg-Id} of the stream's last message, or null. */
    private String lastMsgId() {
        long last = store.state().lastSeq();
        if (lastId != null && lastIdSeq == last) {
            return lastId;
        }
        StoredMessage m = store.get(last);
        return m == null ? null : Headers.get(m.headers(), Headers.MSG_ID);
    }

    /** After a restart: the message ids stored within the duplicate window, from the newest back. */
    private void rebuildRecentIds() {
        long cutoff = JetStream.nowNanos() - spec.duplicateWindowNanos();
        List<long[]> found = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        long first = store.state().firstSeq();
        for (long seq = store.state().lastSeq(); seq >= first && seq > 0; seq--) {
            StoredMessage m = store.get(seq);
            if (m == null) {
                continue;
            }
            if (m.timestamp() < cutoff) {
                break;
            }
            String id = Headers.get(m.headers(), Headers.MSG_ID);
            if (id != null) {
                ids.add(id);
                found.add(new long[] {seq, m.timestamp()});
            }
        }
        for (int i = ids.size() - 1; i >= 0; i--) {
            recentIds.putIfAbsent(ids.get(i), found.get(i));
        }
    }

    private void ack(Incoming m, long seq, boolean duplicate) {
        if (m.reply() == null || !acking) {
            return;
        }
        // {"stream":<name>,"seq":<n>} written directly: one per stored message, Jackson would dominate the ack
        StringBuilder b = new StringBuilder(ackPrefix.length() + 32).append(ackPrefix).append(seq);
        b.append(duplicate ? ",\"duplicate\":true}" : "}");
        js.reply(m.reply(), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void nack(Incoming m, ApiError error) {
        if (m.reply() == null || !acking) {
            return;
        }
        ObjectNode ack = JsonNodeFactory.instance.objectNode();
        error.writeTo(ack);
        ack.put("stream", spec.name());
        ack.put("seq", 0);
        js.reply(m.reply(), ack);
    }

    private static long parse(String number) {
        try {
            return Long.parseLong(number.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
