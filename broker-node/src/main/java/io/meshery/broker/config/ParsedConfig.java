package io.meshery.broker.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The result of reading a nats.conf document.
 *
 * @param values the top-level entries in definition order, deeply unmodifiable. Keys keep the case they were
 *     written in; values are String, Long, Double, Boolean, {@code List<Object>} or {@code Map<String, Object>}
 *     (see {@link ConfigParser} for how sizes and durations are represented)
 * @param usedVariables names of keys that were referenced as {@code $name} somewhere in the document; nats-server
 *     does not report such top-level keys as unknown fields, and neither does {@link BrokerOptions}
 * @param positions where each key was written, for messages
 */
public record ParsedConfig(Map<String, Object> values, Set<String> usedVariables, KeyPositions positions) {
    public ParsedConfig {
        Objects.requireNonNull(values, "values");
        usedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(usedVariables));
        Objects.requireNonNull(positions, "positions");
    }

    /** A document with no known positions (built in code rather than read). */
    public ParsedConfig(Map<String, Object> values, Set<String> usedVariables) {
        this(values, usedVariables, KeyPositions.NONE);
    }
}
