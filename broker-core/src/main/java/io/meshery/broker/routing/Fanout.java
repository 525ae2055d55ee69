package io.meshery.broker.routing;

import io.meshery.broker.protocol.PubArgs;
import java.util.Arrays;
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
    /** The other nodes the message being published goes to, each with the queue groups it was picked for. */
    private RemoteNode[] remotes = new RemoteNode[4];
    private String[][] remoteQueues = new String[4][];
    private int[] remoteQueueCounts = new int[4];
    private int remoteCount;

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
        deliverAll(match, echo ? null : publisher, fromRoute, matchSubject, msg, buf, off, len);
        return true;
    }

    /**
     * {@link #publish} of a reply from the node itself (a PubAck, an API answer) to a subject most likely used once,
     * a request's inbox: matched without filling the match cache with it.
     */
    public boolean publishReply(String replySubject, PubArgs msg, byte[] buf, int off, int len) {
        batchMatches++;
        Match match = index.matchOnce(replySubject);
        if (match.isEmpty()) {
            return false;
        }
        deliverAll(match, null, false, replySubject, msg, buf, off, len);
        return true;
    }

    /**
     * Hands one message that came from another node to this node's subscribers: every plain subscription, and one
     * member of each queue group the other node picked this node for ({@code queues[0, queueCount)}).
     *
     * @param route the node it came from, or {@code null}
     */
    public void publishFromRoute(Subscriber route, String subject, PubArgs msg, byte[] buf, int off, int len,
                                 String[] queues, int queueCount) {
        batchMatches++;
        Match match = index.match(subject);
        if (match.isEmpty()) {
            return;
        }
        for (Subscription s : match.plain()) {
            if (!s.isRemote()) {
                deliverTo(s, route, msg, buf, off, len);
            }
        }
        if (queueCount == 0) {
            return;
        }
        for (Subscription[] group : match.queues()) {
            if (listed(group[0].queue(), queues, queueCount)) {
                deliverToOneLocal(group, route, msg, buf, off, len);
            }
        }
    }

    private static boolean listed(String queue, String[] queues, int count) {
        for (int i = 0; i < count; i++) {
            if (queues[i].equals(queue)) {
                return true;
            }
        }
        return false;
    }

    /** The deliveries of one matched message; apart from {@link #publish} so that its no-interest path stays small. */
    private void deliverAll(Match match, Subscriber skip, boolean fromRoute, String matchSubject, PubArgs msg,
                            byte[] buf, int off, int len) {
        for (Subscription s : match.plain()) {
            if (!s.isRemote()) {
                deliverTo(s, skip, msg, buf, off, len);
            } else if (!fromRoute) {
                noteRemote((RemoteNode) s.owner(), null);
            }
        }
        for (Subscription[] group : match.queues()) {
            if (!deliverToOneLocal(group, skip, msg, buf, off, len) && !fromRoute) {
                pickRemote(group);
            }
        }
        if (remoteCount > 0) {
            forwardToRemotes(matchSubject, msg, buf, off, len);
        }
    }

    // ---- other nodes: each gets a message once, with the queue groups it was picked for ----------------------

    private void noteRemote(RemoteNode node, String queue) {
        int i = 0;
        while (i < remoteCount && remotes[i] != node) {
            i++;
        }
        if (i == remoteCount) {
            if (i == remotes.length) {
                remotes = Arrays.copyOf(remotes, i * 2);
                remoteQueues = Arrays.copyOf(remoteQueues, i * 2);
                remoteQueueCounts = Arrays.copyOf(remoteQueueCounts, i * 2);
            }
            remotes[i] = node;
            remoteQueueCounts[i] = 0;
            remoteCount++;
        }
        if (queue != null) {
            String[] q = remoteQueues[i];
            int n = remoteQueueCounts[i];
            if (q == null || n == q.length) {
                q = q == null ? new String[4] : Arrays.copyOf(q, n * 2);
                remoteQueues[i] = q;
            }
            q[n] = queue;
            remoteQueueCounts[i] = n + 1;
        }
    }

    /** A queue group with no member here that took the message: one of its members on other nodes, at random. */
    private void pickRemote(Subscription[] group) {
        int n = group.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Subscription s = group[(start + i) % n];
            if (s.isRemote() && !s.isClosed()) {
                noteRemote((RemoteNode) s.owner(), s.queue());
                return;
            }
        }
    }

    private void forwardToRemotes(String matchSubject, PubArgs msg, byte[] buf, int off, int len) {
        // a client's PUB matches on the subject it sends: the same string, no need to carry it twice
        String routeBy = matchSubject == msg.subject() || matchSubject.equals(msg.subject()) ? null : matchSubject;
        for (int i = 0; i < remoteCount; i++) {
            RemoteNode node = remotes[i];
            int n = remoteQueueCounts[i];
            if (node.forward(routeBy, msg, buf, off, len, n == 0 ? RemoteNode.NO_QUEUES : remoteQueues[i], n)) {
                touched.put(node, Boolean.TRUE);
                batchDeliveries++;
                batchDeliveredBytes += len;
            }
            remotes[i] = null;
        }
        remoteCount = 0;
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

    /** One member of a queue group on this node, from a random start; false when none took the message. */
    private boolean deliverToOneLocal(Subscription[] group, Subscriber skip, PubArgs msg, byte[] buf, int off,
                                      int len) {
        int n = group.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Subscription s = group[(start + i) % n];
            if (!s.isRemote() && deliverTo(s, skip, msg, buf, off, len)) {
                return true;
            }
        }
        return false;
    }
}
