package io.meshery.broker.jetstream;

import io.meshery.broker.persistence.StoredMessage;
import io.meshery.broker.persistence.StreamState;
import io.meshery.broker.persistence.StreamStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Where a consumer stands in its stream for first deliveries: the next stream sequence to look at, the
 * consumer's filter, its start by deliver policy, and how many matching messages are still to be delivered
 * once ({@code num_pending}). Owned by its consumer on the JetStream thread.
 */
final class DeliveryCursor {

    private final StreamStore store;
    private final Predicate<String> filter;
    /** The next stream sequence to look at. */
    private long next;
    /** For {@code last_per_subject}: the sequences to deliver up to {@link #skipEnd}. */
    private TreeSet<Long> skip;
    private long skipEnd;
    private long pending;

    /** A cursor over {@code store}'s messages that {@code filter} takes (null: all). */
    DeliveryCursor(StreamStore store, Predicate<String> filter) {
        this.store = store;
        this.filter = filter;
    }

    /** A new consumer's start by its deliver policy. */
    void start(ConsumerSpec spec) {
        StreamState st = store.state();
        long first = Math.max(st.firstSeq(), 1);
        switch (spec.deliverPolicy) {
            case ALL -> next = first;
            case NEW -> next = st.lastSeq() + 1;
            case BY_START_SEQUENCE -> next = Math.max(spec.optStartSeq, 1);
            case LAST -> {
                StoredMessage last = store.lastBySubject(filter == null ? s -> true : filter);
                next = last == null ? st.lastSeq() + 1 : last.seq();
            }
            case BY_START_TIME -> {
                long nanos = spec.optStartTime.getEpochSecond() * 1_000_000_000L + spec.optStartTime.getNano();
                next = st.lastSeq() + 1;
                for (long s = first; s <= st.lastSeq(); s++) {
                    StoredMessage m = store.get(s);
                    if (m != null && m.timestamp() >= nanos) {
                        next = s;
                        break;
                    }
                }
            }
            case LAST_PER_SUBJECT -> {
                Map<String, Long> lastBySubject = new HashMap<>();
                for (long s = first; s <= st.lastSeq(); s++) {
                    StoredMessage m = store.get(s);
                    if (m != null && matches(m.subject())) {
                        lastBySubject.put(m.subject(), s);
                    }
                }
                skip = new TreeSet<>(lastBySubject.values());
                skipEnd = st.lastSeq();
                next = skip.isEmpty() ? st.lastSeq() + 1 : skip.first();
            }
            default -> throw new IllegalStateException();
        }
        pending = count();
    }

    /** After a restart: first deliveries go on after {@code lastDelivered}. */
    void resumeAfter(long lastDelivered) {
        next = lastDelivered + 1;
        pending = count();
    }

    long nextSeq() {
        return next;
    }

    boolean matches(String subject) {
        return filter == null || filter.test(subject);
    }

    /** The next message to deliver the first time, or null. */
    StoredMessage peek() {
        StreamState st = store.state();
        long from = Math.max(next, st.firstSeq());
        if (skip != null) {
            for (Long s = skip.ceiling(from); s != null; s = skip.higher(s)) {
                StoredMessage m = store.get(s);
                if (m != null) {
                    return m;
                }
            }
            from = Math.max(from, skipEnd + 1);
        }
        if (filter != null) {
            return from > st.lastSeq() ? null : store.nextBySubject(filter, from);
        }
        for (long s = from; s <= st.lastSeq(); s++) {
            StoredMessage m = store.get(s);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** {@code seq}, which {@link #peek} gave, went out. */
    void advancePast(long seq) {
        next = seq + 1;
        pending = Math.max(0, pending - 1);
        if (skip != null && seq >= skipEnd) {
            skip = null;
        }
    }

    /** New messages were stored. */
    void stored(List<StoredMessage> messages) {
        for (StoredMessage m : messages) {
            if (m.seq() >= next && matches(m.subject())) {
                pending++;
            }
        }
    }

    /** Messages still to be delivered once, as last counted or kept up to date. */
    long pending() {
        return pending;
    }

    /** Counts again (purges, limits and expiry remove messages without telling the consumers). */
    long recount() {
        pending = count();
        return pending;
    }

    private long count() {
        StreamState st = store.state();
        long from = Math.max(next, st.firstSeq());
        long count = 0;
        if (skip != null) {
            count += skip.tailSet(from, true).size();
            from = Math.max(from, skipEnd + 1);
        }
        if (filter == null) {
            return count + Math.max(0, st.lastSeq() - from + 1);
        }
        for (StoredMessage m = store.nextBySubject(filter, from); m != null;
             m = store.nextBySubject(filter, m.seq() + 1)) {
            count++;
        }
        return count;
    }
}
