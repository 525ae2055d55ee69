package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * A consumer's configuration, as JetStream's {@code ConsumerConfig}: read from a create request with the
 * defaults and checks of nats-server 2.9.10 ({@code setConsumerConfigDefaults}, {@code checkConsumerCfg}), and
 * written back in its field order. Immutable; the normalised JSON is what an idempotent create compares.
 */
final class ConsumerSpec {

    static final long DEFAULT_ACK_WAIT = Duration.ofSeconds(30).toNanos();
    static final int DEFAULT_MAX_ACK_PENDING = 1000;
    static final int DEFAULT_MAX_WAITING = 512;
    static final long DEFAULT_INACTIVE_THRESHOLD = Duration.ofSeconds(5).toNanos();
    private static final long MIN_HEARTBEAT = Duration.ofMillis(100).toNanos();

    enum DeliverPolicy { ALL, LAST, NEW, BY_START_SEQUENCE, BY_START_TIME, LAST_PER_SUBJECT }

    enum AckPolicy { NONE, ALL, EXPLICIT }

    final String durable;
    final String name;
    final DeliverPolicy deliverPolicy;
    final long optStartSeq;
    final Instant optStartTime;
    final AckPolicy ackPolicy;
    final long ackWaitNanos;
    /** Redelivery delays by delivery count (nanoseconds), or empty for ack_wait each time. */
    final long[] backoff;
    /** Every filter (one from filter_subject, or filter_subjects), empty for all messages. */
    final List<String> filterSubjects;
    private final java.util.function.Predicate<String> filter;
    final long maxDeliver;
    final String filterSubject;
    final int maxWaiting;
    final int maxAckPending;
    final long heartbeatNanos;
    final boolean flowControl;
    final boolean headersOnly;
    final String deliverSubject;
    final String deliverGroup;
    final long inactiveThresholdNanos;
    final boolean memStorage;
    private final ObjectNode json;

    private ConsumerSpec(JsonNode c, String nameFromSubject) {
        durable = text(c, "durable_name");
        String n = text(c, "name");
        if (!durable.isEmpty() && !n.isEmpty() && !durable.equals(n)) {
            throw ApiError.of(400, 10132, "Consumer Durable and Name have to be equal if both are provided");
        }
        if (!durable.isEmpty() && !StreamSpec.isValidName(durable)) {
            throw ApiError.of(400, 10103, "durable name can not contain '.', '*', '>'");
        }
        if (n.isEmpty()) {
            n = !durable.isEmpty() ? durable : nameFromSubject;
        }
        name = n;
        String description = text(c, "description");
        if (description.length() > StreamSpec.MAX_DESCRIPTION_LENGTH) {
            throw ApiError.of(400, 10107, "consumer description is too long, maximum allowed is "
                + StreamSpec.MAX_DESCRIPTION_LENGTH);
        }
        deliverPolicy = policy(c, "deliver_policy", DeliverPolicy.class, DeliverPolicy.ALL);
        ackPolicy = policy(c, "ack_policy", AckPolicy.class, AckPolicy.NONE);
        optStartSeq = c.path("opt_start_seq").asLong(0);
        String startTime = text(c, "opt_start_time");
        optStartTime = startTime.isEmpty() ? null : parseTime(startTime);
        checkStart();
        deliverSubject = text(c, "deliver_subject");
        deliverGroup = text(c, "deliver_group");
        filterSubject = text(c, "filter_subject");
        if (!filterSubject.isEmpty() && !SubjectFilter.isValidFilter(filterSubject)) {
            throw ApiError.of(400, 10093, "consumer filter subject is not a valid subset of the interest subjects");
        }
        filterSubjects = filterSubjects(c, filterSubject);
        filter = filterSubjects.isEmpty() ? null : SubjectFilter.anyOf(filterSubjects);
        boolean push = !deliverSubject.isEmpty();
        int waiting = c.path("max_waiting").asInt(0);
        heartbeatNanos = c.path("idle_heartbeat").asLong(0);
        flowControl = c.path("flow_control").asBoolean(false);
        if (push) {
            if (deliverSubject.contains("*") || deliverSubject.contains(">")) {
                throw ApiError.of(400, 10079, "consumer deliver subject has wildcards");
            }
            if (waiting != 0) {
                throw ApiError.of(400, 10080, "consumer in push mode can not set max waiting");
            }
            if (c.path("max_ack_pending").asInt(0) > 0 && ackPolicy == AckPolicy.NONE) {
                throw ApiError.of(400, 10082, "consumer requires ack policy for max ack pending");
            }
            if (heartbeatNanos > 0 && heartbeatNanos < MIN_HEARTBEAT) {
                throw ApiError.of(400, 10083, "consumer idle heartbeat needs to be >= 100ms");
            }
            if (flowControl && heartbeatNanos == 0) {
                throw ApiError.of(400, 10108, "consumer with flow control also needs heartbeats");
            }
        } else {
            if (waiting < 0) {
                throw ApiError.of(400, 10087, "consumer max waiting needs to be positive");
            }
            if (heartbeatNanos > 0) {
                throw ApiError.of(400, 10088, "consumer idle heartbeat requires a push based consumer");
            }
            if (flowControl) {
                throw ApiError.of(400, 10089, "consumer flow control requires a push based consumer");
            }
            if (waiting == 0) {
                waiting = DEFAULT_MAX_WAITING;
            }
        }
        maxWaiting = waiting;
        long ackWait = c.path("ack_wait").asLong(0);
        long md = c.path("max_deliver").asLong(0);
        maxDeliver = md == 0 ? -1 : md;
        backoff = backoff(c.path("backoff"));
        if (backoff.length > 0 && maxDeliver <= backoff.length) {
            throw ApiError.of(400, 10116, "max deliver is required to be > length of backoff values");
        }
        // as nats-server: a backoff's first step is the ack wait
        ackWaitNanos = backoff.length > 0 ? backoff[0]
            : ackWait == 0 && ackPolicy != AckPolicy.NONE ? DEFAULT_ACK_WAIT : ackWait;
        int map = c.path("max_ack_pending").asInt(0);
        if (map == 0 && ackPolicy != AckPolicy.NONE) {
            map = DEFAULT_MAX_ACK_PENDING;
        }
        maxAckPending = map;
        headersOnly = c.path("headers_only").asBoolean(false);
        int replicas = c.path("num_replicas").asInt(0);
        if (replicas < 0) {
            throw ApiError.of(400, 10133, "replicas count cannot be negative");
        }
        if (replicas > 1) {
            throw ApiError.of(400, 10126, "consumer config replica count exceeds parent stream");
        }
        long inactive = c.path("inactive_threshold").asLong(0);
        inactiveThresholdNanos = inactive == 0 && durable.isEmpty() ? DEFAULT_INACTIVE_THRESHOLD : inactive;
        memStorage = c.path("mem_storage").asBoolean(false);
        String replay = text(c, "replay_policy");
        if (!replay.isEmpty() && !replay.equals("instant") && !replay.equals("original")) {
            throw ApiError.invalidJson();
        }

        json = JetStream.JSON.createObjectNode();
        putText(json, "durable_name", durable);
        putText(json, "name", name);
        putText(json, "description", description);
        json.put("deliver_policy", deliverPolicy.name().toLowerCase(Locale.ROOT));
        if (optStartSeq > 0) {
            json.put("opt_start_seq", optStartSeq);
        }
        if (optStartTime != null) {
            json.put("opt_start_time", JetStreamApi.goTime(optStartTime));
        }
        json.put("ack_policy", ackPolicy.name().toLowerCase(Locale.ROOT));
        if (ackWaitNanos > 0) {
            json.put("ack_wait", ackWaitNanos);
        }
        json.put("max_deliver", maxDeliver);
        if (backoff.length > 0) {
            var steps = json.putArray("backoff");
            for (long b : backoff) {
                steps.add(b);
            }
        }
        putText(json, "filter_subject", filterSubject);
        if (filterSubject.isEmpty() && !filterSubjects.isEmpty()) {
            var filters = json.putArray("filter_subjects");
            filterSubjects.forEach(filters::add);
        }
        json.put("replay_policy", replay.isEmpty() ? "instant" : replay);
        if (maxWaiting > 0) {
            json.put("max_waiting", maxWaiting);
        }
        if (maxAckPending > 0) {
            json.put("max_ack_pending", maxAckPending);
        }
        if (heartbeatNanos > 0) {
            json.put("idle_heartbeat", heartbeatNanos);
        }
        if (flowControl) {
            json.put("flow_control", true);
        }
        if (headersOnly) {
            json.put("headers_only", true);
        }
        putText(json, "deliver_subject", deliverSubject);
        putText(json, "deliver_group", deliverGroup);
        if (inactive > 0) { // an ephemeral's default is not shown, as nats-server
            json.put("inactive_threshold", inactive);
        }
        json.put("num_replicas", 0);
        if (memStorage) {
            json.put("mem_storage", true);
        }
    }

    /**
     * Reads and checks a request's {@code config}; {@code generatedName} names a consumer that has neither a
     * durable name nor a name (an ephemeral).
     */
    static ConsumerSpec from(JsonNode config, String generatedName) {
        if (config == null || !config.isObject()) {
            throw ApiError.of(400, 10078, "consumer config required");
        }
        return new ConsumerSpec(config, generatedName);
    }

    /** The ack wait after the {@code delivery}-th delivery (1 for the first): the backoff's step, else ack_wait. */
    long ackWaitFor(long delivery) {
        if (backoff.length == 0) {
            return ackWaitNanos;
        }
        return backoff[(int) Math.min(Math.max(delivery, 1) - 1, backoff.length - 1)];
    }

    /** The filters as one predicate, null for every message. */
    java.util.function.Predicate<String> filter() {
        return filter;
    }

    /** Whether a message on {@code subject} is this consumer's (its filters, or every message). */
    boolean wants(String subject) {
        return filter == null || filter.test(subject);
    }

    private static long[] backoff(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new long[0];
        }
        if (!node.isArray()) {
            throw ApiError.invalidJson();
        }
        long[] steps = new long[node.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = node.get(i).asLong(0);
            if (steps[i] <= 0) {
                throw ApiError.of(400, 10115, "consumer backoff values must be positive");
            }
        }
        return steps;
    }

    /**
     * {@code filter_subjects} (nats-server 2.10) or the one {@code filter_subject}: not both, none empty or
     * invalid, no two overlapping.
     */
    private static List<String> filterSubjects(JsonNode c, String single) {
        JsonNode many = c.path("filter_subjects");
        if (many.isMissingNode() || many.isNull() || many.isArray() && many.isEmpty()) {
            return single.isEmpty() ? List.of() : List.of(single);
        }
        if (!many.isArray()) {
            throw ApiError.invalidJson();
        }
        if (!single.isEmpty()) {
            throw ApiError.of(400, 10134, "consumer cannot have both FilterSubject and FilterSubjects specified");
        }
        List<String> filters = new java.util.ArrayList<>();
        for (JsonNode f : many) {
            String text = f.asText("");
            if (text.isEmpty()) {
                throw ApiError.of(400, 10138, "consumer filter in FilterSubjects cannot be empty");
            }
            if (!SubjectFilter.isValidFilter(text)) {
                throw ApiError.of(400, 10093, "consumer filter subject is not a valid subset of the interest subjects");
            }
            for (String other : filters) {
                if (SubjectFilter.overlap(other, text)) {
                    throw ApiError.of(400, 10136, "consumer subject filters cannot overlap");
                }
            }
            filters.add(text);
        }
        return List.copyOf(filters);
    }

    boolean isDurable() {
        return !durable.isEmpty();
    }

    boolean isPush() {
        return !deliverSubject.isEmpty();
    }

    boolean acks() {
        return ackPolicy != AckPolicy.NONE;
    }

    ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsumerSpec s && json.equals(s.json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    private void checkStart() {
        switch (deliverPolicy) {
            case BY_START_SEQUENCE -> {
                if (optStartSeq <= 0) {
                    throw policyError("consumer delivery policy is deliver by start sequence, but optional start "
                        + "sequence is not set");
                }
                if (optStartTime != null) {
                    throw policyError("consumer delivery policy is deliver by start sequence, but optional start "
                        + "time is also set");
                }
            }
            case BY_START_TIME -> {
                if (optStartTime == null) {
                    throw policyError("consumer delivery policy is deliver by start time, but optional start time "
                        + "is not set");
                }
                if (optStartSeq > 0) {
                    throw policyError("consumer delivery policy is deliver by start time, but optional start "
                        + "sequence is also set");
                }
            }
            default -> {
                if (optStartSeq > 0 || optStartTime != null) {
                    String policy = deliverPolicy.name().toLowerCase(Locale.ROOT).replace('_', ' ');
                    throw policyError("consumer delivery policy is deliver " + policy + ", but optional start "
                        + (optStartSeq > 0 ? "sequence" : "time") + " is also set");
                }
            }
        }
    }

    private static ApiError policyError(String why) {
        return ApiError.of(400, 10094, why);
    }

    private static <E extends Enum<E>> E policy(JsonNode c, String field, Class<E> type, E dflt) {
        String v = text(c, field);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidJson();
        }
    }

    private static Instant parseTime(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.invalidJson();
        }
    }

    private static String text(JsonNode c, String field) {
        JsonNode v = c.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static void putText(ObjectNode n, String field, String value) {
        if (!value.isEmpty()) {
            n.put(field, value);
        }
    }
}
