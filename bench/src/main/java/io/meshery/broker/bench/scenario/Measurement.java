package io.meshery.broker.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one timed scenario run observed.
 *
 * @param units      messages published (requests for request-reply, connections for idle connections); server and
 *                   client CPU time are divided by this
 * @param unitName   singular name of a unit: {@code msg}, {@code req}, {@code conn}
 * @param values     each of the scenario's {@link Scenario#metrics()} by id
 * @param expected   deliveries (or replies, or connections) that should have happened
 * @param received   deliveries that did happen
 * @param disconnects client connections the server closed during the run (e.g. as slow consumers)
 * @param problems   anything that makes the run invalid (loss, errors, disconnects); empty for a good run
 * @param notes      information that does not invalidate the run (e.g. the publish time limit was reached)
 */
public record Measurement(long units, String unitName, Map<String, Double> values, long expected, long received,
                          int disconnects, List<String> problems, List<String> notes) {

    /** Deliveries that never happened. */
    public long lost() {
        return Math.max(0, expected - received);
    }

    /** The same measurement with {@code more} notes after its own. */
    public Measurement withNotes(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new Measurement(units, unitName, values, expected, received, disconnects, problems, List.copyOf(all));
    }

    /** A run with no loss, no disconnect and no problem. */
    public boolean ok() {
        return lost() == 0 && disconnects == 0 && problems.isEmpty();
    }
}
