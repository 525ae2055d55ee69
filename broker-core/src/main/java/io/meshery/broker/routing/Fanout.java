package io.meshery.broker.routing;

import io.meshery.broker.protocol.PubArgs;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes messages to the interest the {@link SubjectIndex} holds now: the one loop every publisher runs, a
 * client connection for each PUB it parses, and later a link from another node and the node's own publishers
 * (acknowledgements, API replies, a stream's deliveries).
 *
 * <p>{@link #publish} matches a subject and hands the message to every plain subscription and to one member of
 * each queue group, noting which receivers it touched; {@link #endBatch} flushes each touched receiver once,
 * adds the batch's deliveries to the node's counters and tells the publisher which receivers want it to wait
 * (flow control). So a publisher that processes a whole read before {@code endBatch} wakes each receiver once
 * per read, however many messages it sent it.
 *
 * <p>Rules that depend on who receives:
 * <ul>
 *   <li>a message that came from another node ({@code fromRoute}) is delivered to this node's subscribers only,
 *       never forwarded to another node again (one hop);</li>
 *   <li>a queue group prefers its members on this node; a member on another node gets the message only when no
 *       local member took it, and never for a message that came from another node;</li>
 *   <li>{@code echo == false}: the publisher's own subscriptions are skipped.</li>
 * </ul>
 *
 * <p>The subject matched and the subject written may differ: {@code matchSubject} selects the receivers and
 * {@code msg} is what they are sent (a push consumer delivers a stored message, with its own subject, to its
 * deliver subject).
 *
 * <p>Thread-safety: an instance belongs to one publisher and is used from one thread at a time, with no lock on
 * the path. A publisher on arbitrary threads uses {@link #publishNow}, which is synchronized.
 */
public final class Fanout {

    private final SubjectIndex index;
    private final LongAdder nodeOutMsgs;
    private final LongAdder nodeOutBytes;
    private final IdentityHashMap<Subscriber, Boolean> touched = new IdentityHashMap<>();
    private long batchDeliveries;
    private long batchDeliveredBytes;
    private long batchMatches;

    /** {@code outMsgs} and {@code outBytes} are the node's delivery counters, added to once per batch. */
    public Fanout(SubjectIndex index, LongAdder outMsgs, LongAdder outBytes) {
        this.index = index;
        this.nodeOutMsgs = outMsgs;
        this.nodeOutBytes = outBytes;
    }

    /**
     * Hands one message to the current interest in {@code matchSubject}.
     *
     * @param publisher the publishing subscriber, skipped when {@code echo} is false; {@code null} for none
     * @param fromRoute the message came from another node: deliver it here only
     * @param msg the subject, reply and header size written on the wire; its payload is {@code buf[off, off+len)}
     * @return whether anything matched (when nothing did, a request gets "no responders")
     */
    public boolean publish(Subscriber publisher, boolean echo, boolean fromRoute, String matchSubject, PubArgs msg,
                           byte[] buf, int off, int len) {
        batchMatches++;
        Match match = index.match(matchSubject);
        if (match.isEmpty()) {
            return false;
        }
        deliverAll(match, echo ? null : publisher, fromRoute, msg, buf, off, len);
        return true;
    }

    /** The deliveries of one matched message; apart from {@link #publish} so that its no-interest path stays small. */
    private void deliverAll(Match match, Subscriber skip, boolean fromRoute, PubArgs msg, byte[] buf, int off,
                            int len) {
        for (Subscription s : match.plain()) {
            if (!fromRoute || !s.isRemote()) {
                deliverTo(s, skip, msg, buf, off, len);
            }
        }
        for (Subscription[] group : match.queues()) {
            deliverToOne(group, skip, fromRoute, msg, buf, off, len);
        }
    }

    /**
     * Ends a batch: every receiver touched since the last call is flushed once (but {@code publisher}, which
     * writes out its own output), the deliveries are added to the node's counters, and each receiver that
     * holds {@code waiter} back ({@link Subscriber#holdsPublisher}) is added to {@code blockers}.
     *
     * @param waiter the publisher's flow-control side, or {@code null} for a publisher that never waits
     */
    public void endBatch(Subscriber publisher, FlowWaiter waiter, List<Subscriber> blockers) {
        if (batchMatches > 0) {
            index.countMatches(batchMatches);
            batchMatches = 0;
        }
        if (batchDeliveries > 0) {
            nodeOutMsgs.add(batchDeliveries);
            nodeOutBytes.add(batchDeliveredBytes);
            batchDeliveries = 0;
            batchDeliveredBytes = 0;
        }
        if (touched.isEmpty()) {
            return;
        }
        long now = waiter == null ? 0 : System.nanoTime();
        for (Subscriber s : touched.keySet()) {
            if (s != publisher) {
                s.flush();
            }
            if (waiter != null && s.holdsPublisher(waiter, now)) {
                blockers.add(s);
            }
        }
        touched.clear();
    }

    /** {@link #publish} and {@link #endBatch} at once, for a publisher on any thread that never waits. */
    public synchronized boolean publishNow(String matchSubject, PubArgs msg, byte[] buf, int off, int len) {
        boolean matched = publish(null, true, false, matchSubject, msg, buf, off, len);
        endBatch(null, null, List.of());
        return matched;
    }

    private boolean deliverTo(Subscription s, Subscriber skip, PubArgs msg, byte[] buf, int off, int len) {
        if (s.isClosed()) {
            return false;
        }
        Subscriber owner = s.owner();
        if (owner == skip || !s.countDelivery()) {
            return false;
        }
        if (owner.deliver(s, msg, buf, off, len)) {
            touched.put(owner, Boolean.TRUE);
            batchDeliveries++;
            batchDeliveredBytes += len;
            return true;
        }
        return false;
    }

    /** One member of a queue group, from a random start: a local member first, another node's only if none took it. */
    private void deliverToOne(Subscription[] group, Subscriber skip, boolean fromRoute, PubArgs msg, byte[] buf,
                              int off, int len) {
        int n = group.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        boolean remoteSeen = false;
        for (int i = 0; i < n; i++) {
            Subscription s = group[(start + i) % n];
            if (s.isRemote()) {
                remoteSeen = true;
            } else if (deliverTo(s, skip, msg, buf, off, len)) {
                return;
            }
        }
        if (remoteSeen && !fromRoute) {
            for (int i = 0; i < n; i++) {
                Subscription s = group[(start + i) % n];
                if (s.isRemote() && deliverTo(s, skip, msg, buf, off, len)) {
                    return;
                }
            }
        }
    }
}
