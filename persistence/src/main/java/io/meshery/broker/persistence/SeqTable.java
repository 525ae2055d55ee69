package io.meshery.broker.persistence;

import java.util.Arrays;

/**
 * The in-memory table of a stream's sequences from {@code first} (inclusive) to {@code next} (exclusive):
 * for each, the subject (null once removed), timestamp, stored size, a store-defined location and an
 * optional object reference. Parallel arrays used as a window that slides forward; removed head slots are
 * reclaimed by compaction. Not thread-safe: guarded by the owning store's lock.
 */
final class SeqTable {

    private static final int MIN_CAPACITY = 64;

    private final boolean withRefs;
    private long first;
    private long next;
    private int head;
    private String[] subjects = new String[MIN_CAPACITY];
    private long[] times = new long[MIN_CAPACITY];
    private int[] sizes = new int[MIN_CAPACITY];
    private long[] locs = new long[MIN_CAPACITY];
    private Object[] refs;

    SeqTable(long firstSeq, boolean withRefs) {
        this.withRefs = withRefs;
        this.first = firstSeq;
        this.next = firstSeq;
        this.refs = withRefs ? new Object[MIN_CAPACITY] : null;
    }

    long first() {
        return first;
    }

    long next() {
        return next;
    }

    boolean contains(long seq) {
        return seq >= first && seq < next;
    }

    boolean live(long seq) {
        return contains(seq) && subjects[slot(seq)] != null;
    }

    /** The subject of a live slot, null for a removed one; seq must be in range. */
    String subject(long seq) {
        return subjects[slot(seq)];
    }

    long time(long seq) {
        return times[slot(seq)];
    }

    int size(long seq) {
        return sizes[slot(seq)];
    }

    long loc(long seq) {
        return locs[slot(seq)];
    }

    Object ref(long seq) {
        return refs[slot(seq)];
    }

    /** Adds the slot for {@code next}; a null subject adds a removed slot (a gap). */
    void append(String subject, long time, int size, long loc, Object ref) {
        int count = (int) (next - first);
        if (head + count == subjects.length) {
            makeRoom(count);
        }
        int i = head + count;
        subjects[i] = subject;
        times[i] = time;
        sizes[i] = size;
        locs[i] = loc;
        if (withRefs) {
            refs[i] = ref;
        }
        next++;
    }

    void kill(long seq) {
        int i = slot(seq);
        subjects[i] = null;
        if (withRefs) {
            refs[i] = null;
        }
    }

    /** Drops every slot below {@code newFirst} (at most {@code next}). */
    void advanceTo(long newFirst) {
        if (newFirst <= first) {
            return;
        }
        long to = Math.min(newFirst, next);
        int n = (int) (to - first);
        Arrays.fill(subjects, head, head + n, null);
        if (withRefs) {
            Arrays.fill(refs, head, head + n, null);
        }
        head += n;
        first = to;
        if (first == next) {
            head = 0;
        }
        if (newFirst > next) {
            first = newFirst;
            next = newFirst;
        }
    }

    /** Moves {@code first} past removed slots. */
    void skipRemoved() {
        long s = first;
        while (s < next && subjects[slot(s)] == null) {
            s++;
        }
        advanceTo(s);
    }

    private int slot(long seq) {
        return head + (int) (seq - first);
    }

    private void makeRoom(int count) {
        int capacity = subjects.length;
        if (head > 0 && count <= capacity / 2) {
            shift(capacity, count);
        } else {
            shift(Math.max(MIN_CAPACITY, capacity * 2), count);
        }
    }

    private void shift(int capacity, int count) {
        String[] s = new String[capacity];
        long[] t = new long[capacity];
        int[] z = new int[capacity];
        long[] l = new long[capacity];
        System.arraycopy(subjects, head, s, 0, count);
        System.arraycopy(times, head, t, 0, count);
        System.arraycopy(sizes, head, z, 0, count);
        System.arraycopy(locs, head, l, 0, count);
        if (withRefs) {
            Object[] r = new Object[capacity];
            System.arraycopy(refs, head, r, 0, count);
            refs = r;
        }
        subjects = s;
        times = t;
        sizes = z;
        locs = l;
        head = 0;
    }
}
