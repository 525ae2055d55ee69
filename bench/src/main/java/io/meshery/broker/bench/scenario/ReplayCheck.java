package io.meshery.broker.bench.scenario;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Checks one replay of a stream holding sequences {@code 1..total}, delivery by delivery in arrival order: each
 * stream sequence must arrive exactly once, in order, as a first delivery ({@code delivered} 1), with consumer
 * sequences 1, 2, 3, ... Faults of each kind are counted and the first example kept: a duplicate (a sequence seen
 * before, e.g. a redelivery), out of order (a new sequence that is not the previous new one + 1: a gap or a jump
 * back; the next is judged against it, so one gap is one fault), out of range, a consumer sequence gap, a
 * redelivery. Lost = sequences never seen. Thread-safety: none; the reading thread.
 */
final class ReplayCheck {

    private final long total;
    private final BitSet seen;
    private long nextStream = 1;
    private long nextConsumer = 1;
    private long distinct;
    private long unchecked;
    private long duplicates;
    private long outOfOrder;
    private long outOfRange;
    private long consumerGaps;
    private long redelivered;
    private long deliveries;
    private final List<String> examples = new ArrayList<>();

    ReplayCheck(long total) {
        this.total = total;
        this.seen = new BitSet((int) Math.min(Integer.MAX_VALUE - 1, total + 1));
    }

    /** One delivery with its stream sequence, consumer sequence and delivery count. */
    void record(long streamSeq, long consumerSeq, long delivered) {
        deliveries++;
        if (delivered != 1) {
            fault(++redelivered, "delivery count " + delivered, streamSeq, consumerSeq);
        }
        if (consumerSeq != nextConsumer) {
            fault(++consumerGaps, "consumer sequence " + consumerSeq + " where " + nextConsumer + " was due",
                    streamSeq, consumerSeq);
        }
        nextConsumer = consumerSeq + 1;
        if (streamSeq < 1 || streamSeq > total || streamSeq >= Integer.MAX_VALUE) {
            fault(++outOfRange, "stream sequence outside 1.." + total, streamSeq, consumerSeq);
            return;
        }
        if (seen.get((int) streamSeq)) {
            fault(++duplicates, "duplicate", streamSeq, consumerSeq);
            return;
        }
        seen.set((int) streamSeq);
        distinct++;
        if (streamSeq != nextStream) {
            fault(++outOfOrder, "stream sequence " + streamSeq + " where " + nextStream + " was due", streamSeq,
                    consumerSeq);
        }
        nextStream = streamSeq + 1;
    }

    /** A delivery without metadata: counted towards the total, not checked. */
    void recordUnchecked() {
        deliveries++;
        unchecked++;
    }

    private void fault(long count, String what, long streamSeq, long consumerSeq) {
        if (count == 1 && examples.size() < 8) {
            examples.add(what + " (delivery " + deliveries + ": stream seq " + streamSeq + ", consumer seq "
                    + consumerSeq + ")");
        }
    }

    /** Distinct sequences seen plus unchecked deliveries, at most the total. */
    long received() {
        return Math.min(total, distinct + unchecked);
    }

    /** True once every sequence (or as many unchecked deliveries) arrived. */
    boolean complete() {
        return received() >= total;
    }

    /** Deliveries without metadata. */
    long uncheckedCount() {
        return unchecked;
    }

    /** Faults seen, over every kind. */
    long faults() {
        return duplicates + outOfOrder + outOfRange + consumerGaps + redelivered;
    }

    /** Which sequences never arrived: how many, the first, and the last. */
    String missing() {
        if (unchecked > 0) {
            return (total - received()) + " of " + total + " messages missing (not all carried sequences)";
        }
        long missing = total - distinct;
        int first = seen.nextClearBit(1);
        int last = (int) total;
        while (last > 0 && seen.get(last)) {
            last--;
        }
        return missing + " of " + total + " stream sequences never delivered: the first missing is " + first
                + ", the last " + last + (distinct > 0 ? "; the highest delivered " + (seen.length() - 1) : "");
    }

    /** One line per kind of fault seen; empty when every delivery was right. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        add(problems, duplicates, "duplicate deliveries (a stream sequence seen before)");
        add(problems, outOfOrder, "deliveries out of order (stream sequence not the previous one + 1)");
        add(problems, outOfRange, "deliveries with a stream sequence outside the stream");
        add(problems, consumerGaps, "consumer sequence gaps");
        add(problems, redelivered, "redeliveries (delivery count above 1)");
        if (!problems.isEmpty()) {
            problems.add("first examples: " + String.join("; ", examples));
        }
        return problems;
    }

    private static void add(List<String> problems, long n, String what) {
        if (n > 0) {
            problems.add(n + " " + what);
        }
    }
}
