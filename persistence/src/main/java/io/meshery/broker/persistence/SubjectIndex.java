package io.meshery.broker.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Subject to (count, first-sequence hint, last-sequence hint) over the live messages. The hints are bounds,
 * not exact values: {@code firstHint <= } the subject's first live sequence and {@code lastHint >=} its last
 * one; readers scan the {@link SeqTable} from a hint to the exact value, and the writer tightens hints as it
 * goes. So a removal is O(1) and never scans. The subject strings held here are the canonical instances the
 * table stores, so the table can be matched by identity. Not thread-safe: guarded by the owning store's lock.
 */
final class SubjectIndex {

    /** One subject's entry. */
    static final class Info {
        final String subject;
        long count;
        long firstHint;
        long lastHint;

        Info(String subject, long seq) {
            this.subject = subject;
            this.firstHint = seq;
            this.lastHint = seq;
        }
    }

    private final Map<String, Info> bySubject = new HashMap<>();

    /** Counts a new message and returns the subject's entry, whose {@code subject} is the canonical string. */
    Info added(String subject, long seq) {
        Info info = bySubject.get(subject);
        if (info == null) {
            info = new Info(subject, seq);
            bySubject.put(subject, info);
        } else if (info.count == 0) {
            info.firstHint = seq;
        }
        info.count++;
        info.lastHint = seq;
        return info;
    }

    /** Uncounts a removed message of this (canonical) subject. */
    void removed(String subject) {
        Info info = bySubject.get(subject);
        if (--info.count == 0) {
            bySubject.remove(subject);
        }
    }

    Info get(String subject) {
        return bySubject.get(subject);
    }

    int size() {
        return bySubject.size();
    }

    void clear() {
        bySubject.clear();
    }

    /** The entries whose subject the filter accepts (null accepts all). */
    List<Info> matching(Predicate<String> filter) {
        List<Info> out = new ArrayList<>();
        for (Info info : bySubject.values()) {
            if (filter == null || filter.test(info.subject)) {
                out.add(info);
            }
        }
        return out;
    }
}
