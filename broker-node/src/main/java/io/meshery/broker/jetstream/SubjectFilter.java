package io.meshery.broker.jetstream;

import io.meshery.broker.protocol.Subjects;
import java.util.List;
import java.util.function.Predicate;

/** Subject filters of streams: validity, matching, and whether two filters can match one subject. */
final class SubjectFilter {

    private SubjectFilter() {
    }

    static boolean isValidFilter(String filter) {
        return filter != null && !filter.isEmpty() && Subjects.isValidSubscribe(filter);
    }

    /** A predicate for the store: literal subjects that {@code filter} matches; every subject for null or empty. */
    static Predicate<String> predicate(String filter) {
        if (filter == null || filter.isEmpty() || filter.equals(">")) {
            return s -> true;
        }
        return s -> Subjects.matches(filter, s);
    }

    /** Whether some literal subject matches both filters. */
    /** A subject matched by any of {@code filters}. */
    static Predicate<String> anyOf(List<String> filters) {
        if (filters.size() == 1) {
            return predicate(filters.get(0));
        }
        List<Predicate<String>> each = filters.stream().map(SubjectFilter::predicate).toList();
        return subject -> {
            for (Predicate<String> p : each) {
                if (p.test(subject)) {
                    return true;
                }
            }
            return false;
        };
    }

    static boolean overlap(String a, String b) {
        String[] x = a.split("\\.", -1);
        String[] y = b.split("\\.", -1);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i].equals(">") || y[i].equals(">")) {
                return true;
            }
            if (!x[i].equals("*") && !y[i].equals("*") && !x[i].equals(y[i])) {
                return false;
            }
        }
        return x.length == y.length;
    }
}
