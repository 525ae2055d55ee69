package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The consumer half of {@code $JS.API.>}, answered with nats-server 2.9.10's JSON: {@code CONSUMER.CREATE},
 * {@code CONSUMER.DURABLE.CREATE}, {@code INFO}, {@code DELETE}, {@code NAMES}, {@code LIST}. Pull requests
 * ({@code CONSUMER.MSG.NEXT.<stream>.<consumer>}) go to the consumer itself, which subscribes to its own.
 *
 * <p>Threads: the JetStream thread, called by {@link JetStreamApi}.
 */
final class ConsumerApi {

    private static final int NAMES_LIMIT = 1024;
    private static final int LIST_LIMIT = 256;
    private static final int MAX_NAME_LENGTH = 255;
    private static final String NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** What an existing consumer may change through a create with another configuration. */
    private static final Set<String> UPDATABLE = Set.of("description", "ack_wait", "max_deliver", "max_ack_pending",
        "max_waiting", "inactive_threshold", "headers_only", "idle_heartbeat");

    private final JetStream js;
    private final SecureRandom random = new SecureRandom();

    ConsumerApi(JetStream js) {
        this.js = js;
    }

    /** The response type of a consumer request ({@code CONSUMER.<op>...}). */
    static String typeOf(String op) {
        if (op.startsWith("CONSUMER.LEADER.STEPDOWN.")) {
            return "consumer_leader_stepdown_response";
        }
        String[] t = op.split("\\.");
        String kind = t.length > 1 && t[1].equals("DURABLE") ? "create" : t.length > 1 ? t[1].toLowerCase() : "";
        return "consumer_" + kind + "_response";
    }

    void answer(String op, JsonNode request, ObjectNode response) throws IOException {
        String[] t = op.split("\\.", -1);
        if (t.length < 3) {
            throw ApiError.badRequest();
        }
        switch (t[1]) {
            case "CREATE" -> create(t, false, request, response);
            case "DURABLE" -> {
                if (t.length < 4 || !t[2].equals("CREATE")) {
                    throw ApiError.badRequest();
                }
                create(t, true, request, response);
            }
            case "INFO" -> response.setAll(consumer(t).info());
            case "DELETE" -> {
                js.deleteConsumer(consumer(t));
                response.put("success", true);
            }
            case "NAMES" -> names(stream(t[2]), request, response);
            case "LIST" -> list(stream(t[2]), request, response);
            default -> throw ApiError.badRequest();
        }
    }

    private MessageStream stream(String name) {
        MessageStream s = js.streams().get(name);
        if (s == null) {
            throw ApiError.streamNotFound();
        }
        return s;
    }

    private Consumer consumer(String[] t) {
        if (t.length != 4) {
            throw ApiError.badRequest();
        }
        Consumer c = stream(t[2]).consumers().get(t[3]);
        if (c == null) {
            throw ApiError.of(404, 10014, "consumer not found");
        }
        return c;
    }

    // ---- create -----------------------------------------------------------------------------------------

    private void create(String[] t, boolean legacyDurable, JsonNode request, ObjectNode response) throws IOException {
        String streamName = legacyDurable ? t[3] : t[2];
        String name = legacyDurable ? (t.length > 4 ? t[4] : "") : (t.length > 3 ? t[3] : "");
        String subjectFilter = !legacyDurable && t.length > 4 ? String.join(".", List.of(t).subList(4, t.length)) : "";
        if (!streamName.equals(request.path("stream_name").asText(""))) {
            throw ApiError.streamMismatch();
        }
        JsonNode config = request.get("config");
        if (config == null || !config.isObject()) {
            throw ApiError.of(400, 10078, "consumer config required");
        }
        ObjectNode cfg = ((ObjectNode) config).deepCopy();
        String durable = cfg.path("durable_name").asText("");
        if (legacyDurable) {
            if (name.isEmpty()) {
                throw ApiError.of(400, 10016, "consumer expected to be durable but no durable name set in subject");
            }
            if (durable.isEmpty()) {
                throw ApiError.of(400, 10018, "consumer expected to be durable but a durable name was not set");
            }
        }
        if (!legacyDurable && name.isEmpty() && !durable.isEmpty()) {
            // as nats-server 2.9: a durable is created on CONSUMER.CREATE.<stream>.<name> or DURABLE.CREATE
            throw ApiError.of(400, 10020, "consumer expected to be ephemeral but a durable name was set in request");
        }
        if (!name.isEmpty()) {
            if (!durable.isEmpty() && !durable.equals(name)) {
                throw ApiError.of(400, 10017, "consumer name in subject does not match durable name in request");
            }
            if (name.contains("/") || name.contains("\\")) {
                throw ApiError.of(400, 10127, "Consumer name can not contain path separators");
            }
            cfg.put("name", name);
        }
        if (!subjectFilter.isEmpty() && !subjectFilter.equals(cfg.path("filter_subject").asText(""))) {
            throw ApiError.of(400, 10131, "Consumer create request did not match filtered subject from create subject");
        }
        MessageStream s = stream(streamName);
        ConsumerSpec spec = ConsumerSpec.from(cfg, generatedName(s));
        if (spec.name.length() > MAX_NAME_LENGTH) {
            throw ApiError.of(400, 10102, "consumer name is too long, maximum allowed is " + MAX_NAME_LENGTH);
        }
        if (!StreamSpec.isValidName(spec.name)) {
            throw ApiError.of(400, 10103, "durable name can not contain '.', '*', '>'");
        }
        for (String filter : spec.filterSubjects) {
            if (s.spec().subjects().stream().noneMatch(f -> SubjectFilter.overlap(f, filter))) {
                throw ApiError.of(400, 10093, "consumer filter subject is not a valid subset of the interest subjects");
            }
        }
        if (spec.isPush() && s.spec().subjects().stream().anyMatch(f -> SubjectFilter.overlap(f, spec.deliverSubject))) {
            throw ApiError.of(400, 10081, "consumer deliver subject forms a cycle");
        }
        if (!spec.isPush() && !spec.acks() && s.spec().retention().equals("workqueue")) {
            throw ApiError.of(400, 10084, "consumer in pull mode requires ack policy");
        }
        Consumer existing = s.consumers().get(spec.name);
        if (existing != null) {
            if (!existing.spec().equals(spec)) {
                checkUpdate(existing.spec(), spec);
                js.updateConsumer(existing, spec);
            }
            response.setAll(existing.info());
            return;
        }
        if (s.spec().maxConsumers() > 0 && s.consumers().size() >= s.spec().maxConsumers()) {
            throw ApiError.of(400, 10026, "maximum consumers limit reached");
        }
        if (s.spec().retention().equals("workqueue")) {
            checkWorkQueue(s, spec);
        }
        response.setAll(js.addConsumer(s, spec).info());
    }

    /**
     * A work queue gives each message to one consumer: explicit acks, deliver all, and no two consumers whose
     * filters could both take a message (nats-server's checks and errors, in its order).
     */
    private static void checkWorkQueue(MessageStream s, ConsumerSpec spec) {
        if (spec.ackPolicy != ConsumerSpec.AckPolicy.EXPLICIT) {
            throw ApiError.of(400, 10098, "workqueue stream requires explicit ack");
        }
        if (!s.consumers().isEmpty()) {
            if (spec.filterSubjects.isEmpty()) {
                throw ApiError.of(400, 10099, "multiple non-filtered consumers not allowed on workqueue stream");
            }
            for (Consumer other : s.consumers().values()) {
                List<String> theirs = other.spec().filterSubjects;
                if (theirs.isEmpty() || theirs.stream().anyMatch(
                        f -> spec.filterSubjects.stream().anyMatch(mine -> SubjectFilter.overlap(f, mine)))) {
                    throw ApiError.of(400, 10100, "filtered consumer not unique on workqueue stream");
                }
            }
        }
        if (spec.deliverPolicy != ConsumerSpec.DeliverPolicy.ALL) {
            throw ApiError.of(400, 10101, "consumer must be deliver all on workqueue stream");
        }
    }

    /** A create with another configuration for an existing consumer may change only {@link #UPDATABLE}. */
    private static void checkUpdate(ConsumerSpec current, ConsumerSpec next) {
        ObjectNode a = current.toJson();
        ObjectNode b = next.toJson();
        Set<String> fields = new java.util.TreeSet<>();
        a.fieldNames().forEachRemaining(fields::add);
        b.fieldNames().forEachRemaining(fields::add);
        for (String f : fields) {
            if (!UPDATABLE.contains(f) && !java.util.Objects.equals(a.get(f), b.get(f))) {
                throw ApiError.of(500, 10012, f.replace('_', ' ') + " can not be updated");
            }
        }
    }

    private String generatedName(MessageStream s) {
        while (true) {
            StringBuilder b = new StringBuilder(8);
            for (int i = 0; i < 8; i++) {
                b.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
            }
            if (!s.consumers().containsKey(b.toString())) {
                return b.toString();
            }
        }
    }

    // ---- names and list ---------------------------------------------------------------------------------

    private static void names(MessageStream s, JsonNode request, ObjectNode response) {
        List<String> names = new ArrayList<>(s.consumers().keySet());
        int offset = page(request, response, names.size(), NAMES_LIMIT);
        ArrayNode arr = response.putArray("consumers");
        names.stream().skip(offset).limit(NAMES_LIMIT).forEach(arr::add);
    }

    private static void list(MessageStream s, JsonNode request, ObjectNode response) {
        int offset = page(request, response, s.consumers().size(), LIST_LIMIT);
        ArrayNode arr = response.putArray("consumers");
        Iterator<Consumer> it = s.consumers().values().stream().skip(offset).limit(LIST_LIMIT).iterator();
        while (it.hasNext()) {
            arr.add(it.next().info());
        }
    }

    private static int page(JsonNode request, ObjectNode response, int total, int limit) {
        int offset = Math.max(0, Math.min(request.path("offset").asInt(0), total));
        response.put("total", total);
        response.put("offset", offset);
        response.put("limit", limit);
        return offset;
    }
}
