package io.meshery.broker.jetstream;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The acknowledgement state of one consumer, as nats-server keeps it: the delivered sequences, the ack floor,
 * the unacknowledged deliveries with their redelivery deadlines, how often each redelivered message went out,
 * and the queue of messages to redeliver. Plain Java with the clock passed in, so it can be tested against a
 * model; owned by its consumer on the JetStream thread.
 *
 * <p>Sequences: {@code delivered*} are the last consumer and stream sequences delivered the first time; the
 * ack floor is the highest pair below which everything is acknowledged (or given up).
 */
final class AckState {

    /** An unacknowledged delivery: the consumer sequence it first went out with, and when it is due again. */
    static final class Pending {
        final long dseq;
        /** {@link System#nanoTime} of the redelivery; {@link Long#MAX_VALUE} while queued or held. */
        long deadline;

        Pending(long dseq, long deadline) {
            this.dseq = dseq;
            this.deadline = deadline;
        }
    }

    final boolean explicit;
    final boolean tracks;
    long deliveredConsumer;
    long deliveredStream;
    long floorConsumer;
    long floorStream;
    final TreeMap<Long, Pending> pending = new TreeMap<>();
    /** Deliveries so far of the messages delivered more than once and not acknowledged. */
    final Map<Long, Long> redelivered = new HashMap<>();
    final TreeSet<Long> redeliver = new TreeSet<>();

    AckState(ConsumerSpec.AckPolicy policy) {
        this.tracks = policy != ConsumerSpec.AckPolicy.NONE;
        this.explicit = policy == ConsumerSpec.AckPolicy.EXPLICIT;
    }

    /** A first delivery of stream sequence {@code sseq} as consumer sequence {@code dseq}. */
    void delivered(long sseq, long dseq, long deadline) {
        deliveredConsumer = dseq;
        deliveredStream = Math.max(deliveredStream, sseq);
        if (tracks) {
            pending.put(sseq, new Pending(dseq, deadline));
        } else {
            floorConsumer = dseq;
            floorStream = deliveredStream;
        }
    }

    /** A redelivery of a pending message as consumer sequence {@code dseq}, its {@code count}-th delivery. */
    void redelivered(long sseq, long dseq, long count, long deadline) {
        deliveredConsumer = dseq;
        redeliver.remove(sseq);
        redelivered.put(sseq, count);
        Pending p = pending.get(sseq);
        if (p != null) {
            p.deadline = deadline;
        }
    }

    /** How many times {@code sseq} went out so far. */
    long deliveries(long sseq) {
        return redelivered.getOrDefault(sseq, 1L);
    }

    /** {@code +ACK}; with ack policy all, everything up to {@code sseq}. False when nothing changed. */
    boolean ack(long sseq) {
        if (!explicit && tracks) {
            var acked = pending.headMap(sseq, true);
            if (acked.isEmpty()) {
                return false;
            }
            for (Long s : acked.keySet()) {
                forget(s);
            }
            acked.clear();
        } else if (pending.remove(sseq) != null) {
            forget(sseq);
        } else {
            return false;
        }
        updateFloor();
        return true;
    }

    /** {@code +TERM}, or a message given up (gone from the stream, delivered max_deliver times). */
    boolean drop(long sseq) {
        if (pending.remove(sseq) == null) {
            return false;
        }
        forget(sseq);
        updateFloor();
        return true;
    }

    /** {@code -NAK}: redeliver at once, or at {@code deadline} when it has a delay. */
    void nak(long sseq, long deadline) {
        Pending p = pending.get(sseq);
        if (p == null) {
            return;
        }
        if (deadline == 0) {
            p.deadline = Long.MAX_VALUE;
            redeliver.add(sseq);
        } else {
            p.deadline = deadline;
        }
    }

    /** {@code +WPI}: the ack wait starts again. */
    void progress(long sseq, long deadline) {
        Pending p = pending.get(sseq);
        if (p != null && !redeliver.contains(sseq)) {
            p.deadline = deadline;
        }
    }

    /** Queues the deliveries whose deadline passed; returns the next deadline, or {@link Long#MAX_VALUE}. */
    long due(long now) {
        long next = Long.MAX_VALUE;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (p.deadline == Long.MAX_VALUE) {
                continue;
            }
            if (now - p.deadline >= 0) {
                p.deadline = Long.MAX_VALUE;
                redeliver.add(e.getKey());
            } else if (next == Long.MAX_VALUE || p.deadline - next < 0) {
                next = p.deadline;
            }
        }
        return next;
    }

    /** After a restart: whatever was unacknowledged is queued for redelivery. */
    void restore(ConsumerFiles.State s) {
        deliveredConsumer = s.consumerSeq();
        deliveredStream = s.streamSeq();
        floorConsumer = s.floorConsumer();
        floorStream = s.floorStream();
        if (tracks) {
            for (long[] p : s.pending()) {
                pending.put(p[0], new Pending(p[1], Long.MAX_VALUE));
                redeliver.add(p[0]);
            }
            for (long[] r : s.redelivered()) {
                redelivered.put(r[0], r[1]);
            }
        }
    }

    /** A consumer starting at {@code sseq}: nothing below it is owed. */
    void startAt(long sseq) {
        deliveredStream = sseq - 1;
        floorStream = sseq - 1;
    }

    private void forget(long sseq) {
        redelivered.remove(sseq);
        redeliver.remove(sseq);
    }

    private void updateFloor() {
        if (pending.isEmpty()) {
            floorConsumer = deliveredConsumer;
            floorStream = deliveredStream;
        } else {
            Map.Entry<Long, Pending> first = pending.firstEntry();
            floorConsumer = Math.max(floorConsumer, first.getValue().dseq - 1);
            floorStream = Math.max(floorStream, first.getKey() - 1);
        }
    }
}
