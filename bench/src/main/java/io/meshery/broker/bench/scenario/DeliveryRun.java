package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.NatsWireClient;
import io.meshery.broker.bench.wire.PubBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One publisher and some subscribers on one subject: the shape shared by the throughput scenarios.
 *
 * <p>Subscribers come in delivery {@link Group groups}: a plain subscriber is a group of one; the members of a queue
 * group share one group. Every group must receive every published message once, so the expected deliveries are
 * {@code groups × published} and a group's progress is the sum of its members' counts.
 *
 * <p>A run: start every subscriber (subscribe, flush), publish under a {@link FlowControl} window bound to the
 * slowest group, flush the publisher, then wait until every group has everything or nothing has arrived for the
 * drain-idle time. The elapsed time runs from the first publish to the last receipt.
 *
 * <p>Against a cluster, each member is placed on a node (node 1 unless its group says otherwise) and the publisher
 * on {@link #publishingOn its node}. Before publishing, the run waits until the publisher's node knows the
 * subscribers' interest ({@link ScenarioContext#awaitInterest}): its own clients' subscriptions one by one, and one
 * per other node and group (nats-server announces a node's interest in a subject, or in a subject and queue group,
 * once over a route however many of its clients share it).
 */
final class DeliveryRun {

    /**
     * A plain subscriber ({@code queue == null}, one member) or the members of one queue group.
     *
     * @param nodes the node (0-based) of each member in a cluster; empty: all on node 1
     */
    record Group(String queue, int members, List<Integer> nodes) {
        Group {
            nodes = List.copyOf(nodes);
            if (!nodes.isEmpty() && nodes.size() != members) {
                throw new IllegalArgumentException(members + " members but nodes " + nodes);
            }
        }

        static Group plain() {
            return new Group(null, 1, List.of());
        }

        static Group queue(String name, int members) {
            return new Group(name, members, List.of());
        }

        /** A plain subscriber on node {@code node} of a cluster. */
        static Group plainOn(int node) {
            return new Group(null, 1, List.of(node));
        }

        /** A queue group with one member on each of {@code nodes}. */
        static Group queueOn(String name, Integer... nodes) {
            return new Group(name, nodes.length, List.of(nodes));
        }

        int nodeOf(int member) {
            return nodes.isEmpty() ? 0 : nodes.get(member);
        }
    }

    /**
     * @param published     messages published
     * @param delivered     messages received, all subscribers together
     * @param expected      {@code groups × published}
     * @param elapsedNanos  first publish to last receipt
     * @param payloadBytes  payload bytes published
     * @param memberCounts  messages received by each subscriber, in group order
     * @param disconnects   subscribers the server disconnected
     * @param problems      failures (disconnect reasons, duplicates)
     * @param notes         information (publish time limit reached)
     */
    record Outcome(long published, long delivered, long expected, long elapsedNanos, long payloadBytes,
                   List<Long> memberCounts, int disconnects, List<String> problems, List<String> notes) {

        /** Published messages per second. */
        double publishedPerSecond() {
            return published * 1e9 / elapsedNanos;
        }

        /** Received messages per second, all subscribers together. */
        double deliveredPerSecond() {
            return delivered * 1e9 / elapsedNanos;
        }

        /** Published payload in MB (10^6 bytes) per second. */
        double payloadMegabytesPerSecond() {
            return payloadBytes * 1e3 / elapsedNanos;
        }

        /** A {@link Measurement} with the given metric values, per published message, plus extra notes. */
        Measurement measurement(Map<String, Double> values, String... extraNotes) {
            List<String> allNotes = new ArrayList<>(notes);
            allNotes.addAll(List.of(extraNotes));
            return new Measurement(published, "msg", values, expected, delivered, disconnects,
                    List.copyOf(problems), List.copyOf(allNotes));
        }
    }

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final String subject;
    private final PubBatch batch;
    private final List<Group> groups;
    private final int publisherNode;

    /** Publishes {@code payloads} in turn on {@code subject}, encoded once in batches of about {@code batchBytes}. */
    DeliveryRun(String subject, List<byte[]> payloads, int batchBytes, List<Group> groups) {
        this(subject, PubBatch.encode(subject, payloads, batchBytes), groups, 0);
    }

    private DeliveryRun(String subject, PubBatch batch, List<Group> groups, int publisherNode) {
        this.subject = subject;
        this.batch = batch;
        this.groups = List.copyOf(groups);
        this.publisherNode = publisherNode;
    }

    /** The same run with the publisher on node {@code node} (0-based) of a cluster. */
    DeliveryRun publishingOn(int node) {
        return new DeliveryRun(subject, batch, groups, node);
    }

    /**
     * Subscriptions the publisher's node knows once every subscriber's interest has reached it: each member on
     * that node, plus one per other node and group; plain subscribers on one node count once together.
     */
    long interestAtPublisher() {
        long local = 0;
        Set<String> remote = new HashSet<>();
        for (Group group : groups) {
            for (int m = 0; m < group.members(); m++) {
                int node = group.nodeOf(m);
                if (node == publisherNode) {
                    local++;
                } else {
                    remote.add(node + " " + group.queue());
                }
            }
        }
        return local + remote.size();
    }

    /** Runs once with up to {@code count} messages. */
    Outcome run(ScenarioContext ctx, long count) throws IOException {
        List<List<CountingSubscriber>> members = new ArrayList<>();
        int n = 0;
        for (Group group : groups) {
            List<CountingSubscriber> these = new ArrayList<>();
            for (int m = 0; m < group.members(); m++) {
                these.add(CountingSubscriber.start(ctx, group.nodeOf(m), "sub-" + n++, subject, group.queue()));
            }
            members.add(these);
        }
        ctx.awaitInterest(publisherNode, interestAtPublisher());
        NatsWireClient connection = ctx.connect(publisherNode, "publisher", 4096);
        long frameBytes = Math.max(1, batch.bytes() / batch.messages());
        FlowControl window = FlowControl.window(ctx.windowMessages(frameBytes), () -> slowestGroup(members));
        Publisher.Result published = Publisher.publish(connection, batch, count, ctx.publishDeadlineNanos(), window);
        awaitDeliveries(ctx, members, published.published());
        return outcome(members, published, count);
    }

    /** Messages received by the group that received fewest; MAX_VALUE once a subscriber is gone. */
    private static long slowestGroup(List<List<CountingSubscriber>> members) {
        long slowest = Long.MAX_VALUE;
        for (List<CountingSubscriber> group : members) {
            long sum = 0;
            for (CountingSubscriber s : group) {
                if (s.disconnected()) {
                    return Long.MAX_VALUE;
                }
                sum += s.received();
            }
            slowest = Math.min(slowest, sum);
        }
        return slowest;
    }

    private static long delivered(List<List<CountingSubscriber>> members) {
        long total = 0;
        for (List<CountingSubscriber> group : members) {
            for (CountingSubscriber s : group) {
                total += s.received();
            }
        }
        return total;
    }

    private static void awaitDeliveries(ScenarioContext ctx, List<List<CountingSubscriber>> members,
                                        long published) {
        long idleLimit = ctx.limits().drainIdle().toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (!ctx.expired()) {
            long slowest = slowestGroup(members);
            if (slowest >= published) {
                return;
            }
            long now = System.nanoTime();
            long total = delivered(members);
            if (total != last) {
                last = total;
                lastChange = now;
            } else if (now - lastChange > idleLimit) {
                return;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private Outcome outcome(List<List<CountingSubscriber>> members, Publisher.Result published, long asked) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long lastReceipt = 0;
        int disconnects = 0;
        for (int g = 0; g < members.size(); g++) {
            long groupTotal = 0;
            for (CountingSubscriber s : members.get(g)) {
                long received = s.received();
                counts.add(received);
                groupTotal += received;
                lastReceipt = Math.max(lastReceipt, s.lastReceiptNanos());
                if (s.disconnected()) {
                    disconnects++;
                    problems.add("disconnected: " + s.failure());
                }
            }
            if (groupTotal > published.published()) {
                problems.add("group " + g + " received " + groupTotal + " of " + published.published()
                        + " messages (duplicates)");
            } else if (groupTotal < published.published()) {
                problems.add("group " + g + " lost " + (published.published() - groupTotal) + " of "
                        + published.published() + " messages");
            }
        }
        if (published.pausedNanos() > 0) {
            notes.add(String.format(Locale.ROOT, "publisher waited %.0f ms for consumers (flow-control window)",
                    published.pausedNanos() / 1e6));
        }
        if (published.published() < asked) {
            notes.add("publish time limit reached after " + published.published() + " of " + asked + " messages");
        }
        long end = lastReceipt > 0 ? lastReceipt : published.flushedNanos();
        long elapsed = Math.max(1, end - published.firstNanos());
        long expected = published.published() * groups.size();
        return new Outcome(published.published(), delivered(members), expected, elapsed,
                batch.payloadBytesOf(published.published()), counts, disconnects, problems, notes);
    }
}
