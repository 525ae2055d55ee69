package io.meshery.broker.persistence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one segment file holds, record by record: the seq field (with the tombstone and floor bits), the
 * timestamp, the position and the subject (an id into a per-segment subject table; -1 for tombstones and
 * floors). It is what an index file stores and what a scan produces. Records are contiguous, so a record's
 * length is the next position minus its own, and the last one ends at {@link #end()}. Not thread-safe:
 * owned by the writer (the active segment) or by recovery.
 */
final class SegmentContents {

    private long[] seqFields = new long[256];
    private long[] times = new long[256];
    private int[] positions = new int[256];
    private int[] subjectIds = new int[256];
    private int count;
    private long end;
    private long messages;
    private final List<String> subjects = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();

    /** Adds a record of {@code length} bytes at {@code position}; subject null for a tombstone or floor. */
    void add(long seqField, long ts, int position, int length, String subject) {
        if (count == seqFields.length) {
            int n = count * 2;
            seqFields = Arrays.copyOf(seqFields, n);
            times = Arrays.copyOf(times, n);
            positions = Arrays.copyOf(positions, n);
            subjectIds = Arrays.copyOf(subjectIds, n);
        }
        int id = -1;
        if (subject != null) {
            id = subjectId(subject);
            messages++;
        }
        seqFields[count] = seqField;
        times[count] = ts;
        positions[count] = position;
        subjectIds[count] = id;
        count++;
        end = (long) position + length;
    }

    int subjectId(String subject) {
        Integer id = ids.get(subject);
        if (id == null) {
            id = subjects.size();
            subjects.add(subject);
            ids.put(subject, id);
        }
        return id;
    }

    int count() {
        return count;
    }

    long messages() {
        return messages;
    }

    /** The position just past the last record. */
    long end() {
        return end;
    }

    void setEnd(long end) {
        this.end = end;
    }

    long seqField(int i) {
        return seqFields[i];
    }

    long time(int i) {
        return times[i];
    }

    int position(int i) {
        return positions[i];
    }

    int length(int i) {
        return (int) ((i + 1 < count ? positions[i + 1] : end) - positions[i]);
    }

    int subjectIdAt(int i) {
        return subjectIds[i];
    }

    /** The subject of record i, null for a tombstone or floor. */
    String subject(int i) {
        int id = subjectIds[i];
        return id < 0 ? null : subjects.get(id);
    }

    List<String> subjectTable() {
        return subjects;
    }

    /** Adds a record read from an index file, whose subject id refers to {@code table}. */
    void addIndexed(long seqField, long ts, int position, int subjectId, List<String> table) {
        add(seqField, ts, position, 0, subjectId < 0 ? null : table.get(subjectId));
    }
}
