package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.persistence.StreamLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream's configuration, as JetStream's {@code StreamConfig}: read from a create or update request with the
 * defaults and checks of nats-server 2.9.10 ({@code checkStreamCfg}), and written back in its field order.
 * Immutable; two specs are equal when every field is, which is what an idempotent create compares.
 */
record StreamSpec(String name, String description, List<String> subjects, String retention, long maxConsumers,
                  long maxMsgs, long maxBytes, long maxAgeNanos, long maxMsgsPerSubject, long maxMsgSize,
                  String discard, String storage, int replicas, long duplicateWindowNanos, boolean allowDirect,
                  boolean mirrorDirect, boolean discardNewPerSubject, boolean sealed, boolean denyDelete,
                  boolean denyPurge, boolean allowRollup) {

    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_DESCRIPTION_LENGTH = 4 * 1024;
    static final long DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2).toNanos();
    private static final long MIN_WINDOW = Duration.ofMillis(100).toNanos();

    /** Reads and checks a request's configuration; {@code ApiError} says what is wrong. */
    static StreamSpec from(JsonNode c) {
        if (c == null || !c.isObject()) {
            throw ApiError.invalidConfig("stream configuration invalid");
        }
        String name = c.path("name").asText("");
        if (!isValidName(name)) {
            throw ApiError.invalidConfig("stream name is required and can not contain '.', '*', '>'");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw ApiError.invalidConfig("stream name is too long, maximum allowed is " + MAX_NAME_LENGTH);
        }
        String description = c.path("description").asText("");
        if (description.length() > MAX_DESCRIPTION_LENGTH) {
            throw ApiError.invalidConfig("stream description is too long, maximum allowed is " + MAX_DESCRIPTION_LENGTH);
        }
        String retention = oneOf(c, "retention", "limits", "limits", "interest", "workqueue");
        String discard = oneOf(c, "discard", "old", "old", "new");
        String storage = oneOf(c, "storage", "file", "file", "memory");
        int replicas = c.path("num_replicas").asInt(0);
        if (replicas < 0) {
            throw ApiError.invalidConfig("replicas count cannot be negative");
        }
        if (replicas > 5) {
            throw ApiError.invalidConfig("maximum replicas is 5");
        }
        long maxAge = c.path("max_age").asLong(0);
        if (maxAge < 0) {
            throw ApiError.invalidConfig("max age can not be negative");
        }
        if (maxAge > 0 && maxAge < MIN_WINDOW) {
            throw ApiError.invalidConfig("max age needs to be >= 100ms");
        }
        long window = c.path("duplicate_window").asLong(0);
        if (window < 0) {
            throw ApiError.invalidConfig("duplicates window can not be negative");
        }
        if (window == 0) {
            window = maxAge != 0 && maxAge < DEFAULT_DUPLICATE_WINDOW ? maxAge : DEFAULT_DUPLICATE_WINDOW;
        } else if (maxAge != 0 && window > maxAge) {
            throw ApiError.invalidConfig("duplicates window can not be larger then max age");
        } else if (window < MIN_WINDOW) {
            throw ApiError.invalidConfig("duplicates window needs to be >= 100ms");
        }
        List<String> subjects = new ArrayList<>();
        for (JsonNode s : c.path("subjects")) {
            String subject = s.asText("");
            if (!SubjectFilter.isValidFilter(subject)) {
                throw ApiError.invalidConfig("invalid subject");
            }
            if (SubjectFilter.overlap(subject, "$JS.API.>")) {
                throw ApiError.invalidConfig("subjects overlap with jetstream api");
            }
            subjects.add(subject);
        }
        if (subjects.isEmpty()) {
            subjects.add(name);
        }
        for (int i = 0; i < subjects.size(); i++) {
            for (int j = i + 1; j < subjects.size(); j++) {
                if (SubjectFilter.overlap(subjects.get(i), subjects.get(j))) {
                    throw ApiError.invalidConfig("duplicate subjects detected");
                }
            }
        }
        if (c.path("sealed").asBoolean(false)) {
            throw ApiError.invalidConfig("stream configuration for create can not be sealed");
        }
        boolean allowRollup = c.path("allow_rollup_hdrs").asBoolean(false);
        boolean denyPurge = c.path("deny_purge").asBoolean(false);
        if (allowRollup && denyPurge) {
            throw ApiError.invalidConfig("roll-ups require the purge permission");
        }
        return new StreamSpec(name, description, List.copyOf(subjects), retention,
            limit(c, "max_consumers", "max consumers"), limit(c, "max_msgs", "max messages"),
            limit(c, "max_bytes", "max bytes"), maxAge, limit(c, "max_msgs_per_subject", "max messages per subject"),
            limit(c, "max_msg_size", "max message size"), discard, storage, Math.max(1, replicas), window,
            c.path("allow_direct").asBoolean(false), c.path("mirror_direct").asBoolean(false),
            c.path("discard_new_per_subject").asBoolean(false), false, c.path("deny_delete").asBoolean(false),
            denyPurge, allowRollup);
    }

    /** A name nats-server accepts: not empty, no {@code .}, {@code *}, {@code >}, path separators or whitespace. */
    static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '.' || ch == '*' || ch == '>' || ch == '/' || ch == '\\' || Character.isWhitespace(ch)) {
                return false;
            }
        }
        return true;
    }

    /** What may change in an update; {@code ApiError} says what may not. */
    void checkUpdateTo(StreamSpec next) {
        if (!storage.equals(next.storage)) {
            throw ApiError.invalidConfig("stream configuration update can not change storage type");
        }
        if (!retention.equals(next.retention)) {
            throw ApiError.invalidConfig("stream configuration update can not change retention policy");
        }
        if (maxConsumers != next.maxConsumers && next.maxConsumers != -1) {
            throw ApiError.invalidConfig("stream configuration update can not change max consumers");
        }
    }

    StreamLimits limits() {
        return new StreamLimits(maxMsgs, maxBytes, maxAgeNanos, maxMsgSize, maxMsgsPerSubject,
            discard.equals("new") ? StreamLimits.Discard.NEW : StreamLimits.Discard.OLD, discardNewPerSubject);
    }

    boolean isMemory() {
        return storage.equals("memory");
    }

    /** The configuration in nats-server's field order. */
    ObjectNode toJson() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("name", name);
        if (!description.isEmpty()) {
            c.put("description", description);
        }
        ArrayNode subs = c.putArray("subjects");
        subjects.forEach(subs::add);
        c.put("retention", retention);
        c.put("max_consumers", maxConsumers);
        c.put("max_msgs", maxMsgs);
        c.put("max_bytes", maxBytes);
        c.put("max_age", maxAgeNanos);
        c.put("max_msgs_per_subject", maxMsgsPerSubject);
        c.put("max_msg_size", maxMsgSize);
        c.put("discard", discard);
        c.put("storage", storage);
        c.put("num_replicas", replicas);
        c.put("duplicate_window", duplicateWindowNanos);
        c.put("allow_direct", allowDirect);
        c.put("mirror_direct", mirrorDirect);
        if (discardNewPerSubject) {
            c.put("discard_new_per_subject", true);
        }
        c.put("sealed", sealed);
        c.put("deny_delete", denyDelete);
        c.put("deny_purge", denyPurge);
        c.put("allow_rollup_hdrs", allowRollup);
        return c;
    }

    private static String oneOf(JsonNode c, String field, String dflt, String... allowed) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String s = v.asText().toLowerCase(java.util.Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(s)) {
                return a;
            }
        }
        throw ApiError.invalidJson();
    }

    /** A limit: 0 or absent is unlimited (-1), as nats-server; below -1 is refused. */
    private static long limit(JsonNode c, String field, String what) {
        long v = c.path(field).asLong(0);
        if (v < -1) {
            throw ApiError.invalidConfig(what + " can not be negative");
        }
        return v == 0 ? -1 : v;
    }
}
