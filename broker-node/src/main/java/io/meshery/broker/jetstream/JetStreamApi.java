package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.persistence.PurgeRequest;
import io.meshery.broker.persistence.StoredMessage;
import io.meshery.broker.persistence.StreamState;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The {@code $JS.API.>} requests of the official clients, answered with nats-server 2.9.10's JSON: account
 * info, the stream API (create, update, info, delete, purge, names, list, message get and delete), and the
 * consumer API through {@link ConsumerApi}.
 *
 * <p>An {@link Subscriber.Kind#INTERNAL} subscriber: the publisher's thread copies the request, the JetStream
 * thread handles it and publishes the answer to the request's reply subject.
 */
final class JetStreamApi implements InternalSubscriber {

    private static final String PREFIX = "$JS.API.";
    private static final String TYPE = "io.nats.jetstream.api.v1.";
    private static final int NAMES_LIMIT = 1024;
    private static final int LIST_LIMIT = 256;
    private static final DateTimeFormatter GO_TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final JetStream js;
    private final ConsumerApi consumers;

    JetStreamApi(JetStream js) {
        this.js = js;
        this.consumers = new ConsumerApi(js);
    }

    @Override
    public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        if (msg.replyLength() == 0) {
            return false; // a request nobody waits for
        }
        byte[] body = InternalSubscriber.body(msg, buf, off, len);
        String subject = msg.subject();
        String reply = msg.reply();
        js.execute(() -> handle(subject, reply, body));
        return true;
    }

    // ---- dispatch -------------------------------------------------------------------------------------

    private void handle(String subject, String reply, byte[] body) {
        String op = subject.substring(PREFIX.length());
        if (op.startsWith("CONSUMER.MSG.NEXT.")) {
            return; // a pull consumer subscribes to its own requests (Consumer#subjects); unknown ones get no answer
        }
        js.apiTotal.incrementAndGet();
        respond(op, body, false).thenAccept(response -> js.reply(reply, response));
    }

    /**
     * The answer to request {@code op}; completes on the JetStream thread. A request about a replicated stream
     * whose leader is another node goes to that node (where the stream's consumers live and its state is the
     * newest), unless it was {@code forwarded} here already.
     */
    CompletableFuture<ObjectNode> respond(String op, byte[] body, boolean forwarded) {
        String type = typeOf(op);
        ObjectNode response = JetStream.JSON.createObjectNode();
        response.put("type", TYPE + type);
        try {
            JsonNode request = parse(body);
            StreamReplication.Group leadElsewhere = forwarded ? null : ledElsewhere(op);
            if (leadElsewhere != null) {
                return leadElsewhere.forward(op, body).handleAsync((answer, e) -> {
                    if (e != null) {
                        return failed(op, type, unwrap(e));
                    }
                    try {
                        return (ObjectNode) JetStream.JSON.readTree(answer);
                    } catch (IOException bad) {
                        return failed(op, type, bad);
                    }
                }, js::execute);
            }
            CompletableFuture<Void> later = answer(op, request, response);
            if (later != null) { // a replicated stream's change: answered once its group has committed it
                return later.handleAsync((v, e) -> e == null ? response : failed(op, type, unwrap(e)), js::execute);
            }
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(failed(op, type, e));
        }
        return CompletableFuture.completedFuture(response);
    }

    /** The group of the replicated stream {@code op} is about, when another node leads it; else null. */
    private StreamReplication.Group ledElsewhere(String op) {
        String stream = null;
        if (op.startsWith("STREAM.INFO.") || op.startsWith("STREAM.UPDATE.")) {
            stream = op.substring(op.indexOf('.', "STREAM.".length()) + 1);
        } else if (op.startsWith("STREAM.MSG.GET.")) { // a follower may not have applied what was acknowledged
            stream = op.substring("STREAM.MSG.GET.".length());
        } else if (op.startsWith("CONSUMER.LEADER.STEPDOWN.")) {
            String[] t = op.split("\\.", -1);
            stream = t.length > 3 ? t[3] : null;
        } else if (op.startsWith("CONSUMER.")) {
            String[] t = op.split("\\.", -1);
            stream = t.length > 3 && t[1].equals("DURABLE") ? t[3] : t.length > 2 ? t[2] : null;
        }
        MessageStream s = stream == null ? null : js.streams().get(stream);
        if (s == null || s.replica() == null || s.replica().isLeader()) {
            return null;
        }
        if (s.replica().leader() == null) {
            throw ApiError.of(503, 10008, "JetStream system temporarily unavailable"); // an election is on
        }
        return s.replica();
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private ObjectNode failed(String op, String type, Throwable e) {
        js.apiErrors.incrementAndGet();
        ObjectNode error = JetStream.JSON.createObjectNode();
        error.put("type", TYPE + type);
        if (e instanceof ApiError api) {
            api.writeTo(error);
        } else {
            js.log().warn("JetStream API {} failed: {}", op, e.toString());
            ApiError.storeFailed(String.valueOf(e.getMessage())).writeTo(error);
        }
        return error;
    }

    /** Fills {@code response}, or returns the change that will fill it on the JetStream thread. */
    private CompletableFuture<Void> answer(String op, JsonNode request, ObjectNode response) throws IOException {
        MessageStream s;
        if (op.startsWith("STREAM.CREATE.")) {
            return create(name(op, "STREAM.CREATE."), request, response);
        } else if (op.startsWith("STREAM.UPDATE.")) {
            return update(name(op, "STREAM.UPDATE."), request, response);
        } else if (op.startsWith("STREAM.LEADER.STEPDOWN.")) {
            return stepDown(name(op, "STREAM.LEADER.STEPDOWN."), response);
        } else if (op.startsWith("CONSUMER.LEADER.STEPDOWN.")) {
            return consumerStepDown(op.split("\\.", -1), response);
        } else if (op.startsWith("STREAM.DELETE.") && (s = stream(name(op, "STREAM.DELETE."))).replica() != null) {
            return js.replication().deleteEverywhere(s.replica()).thenRun(() -> response.put("success", true));
        } else if (op.startsWith("STREAM.PURGE.") && (s = stream(name(op, "STREAM.PURGE."))).replica() != null) {
            return replicatedPurge(s, request, response);
        } else if (op.startsWith("STREAM.MSG.DELETE.")
            && (s = stream(name(op, "STREAM.MSG.DELETE."))).replica() != null) {
            return replicatedDelete(s, request, response);
        }
        answerHere(op, request, response);
        return null;
    }

    private void answerHere(String op, JsonNode request, ObjectNode response) throws IOException {
        if (op.equals("INFO")) {
            accountInfo(response);
        } else if (op.equals("STREAM.NAMES")) {
            names(request, response);
        } else if (op.equals("STREAM.LIST")) {
            list(request, response);
        } else if (op.startsWith("STREAM.INFO.")) {
            streamInfo(stream(name(op, "STREAM.INFO.")), response);
        } else if (op.startsWith("STREAM.DELETE.")) {
            js.delete(stream(name(op, "STREAM.DELETE.")));
            response.put("success", true);
        } else if (op.startsWith("STREAM.PURGE.")) {
            purge(stream(name(op, "STREAM.PURGE.")), request, response);
        } else if (op.startsWith("STREAM.MSG.GET.")) {
            getMessage(stream(name(op, "STREAM.MSG.GET.")), request, response);
        } else if (op.startsWith("STREAM.MSG.DELETE.")) {
            deleteMessage(stream(name(op, "STREAM.MSG.DELETE.")), request, response);
        } else if (op.startsWith("CONSUMER.")) {
            consumers.answer(op, request, response);
        } else {
            throw ApiError.badRequest();
        }
    }

    private static String typeOf(String op) {
        if (op.equals("INFO")) {
            return "account_info_response";
        }
        if (op.startsWith("STREAM.LEADER.STEPDOWN.")) {
            return "stream_leader_stepdown_response";
        }
        if (op.startsWith("CONSUMER.")) {
            return ConsumerApi.typeOf(op);
        }
        String[] t = op.split("\\.");
        if (t.length >= 3 && t[1].equals("MSG")) {
            return t[0].toLowerCase() + "_msg_" + t[2].toLowerCase() + "_response";
        }
        return t.length >= 2 ? t[0].toLowerCase() + "_" + t[1].toLowerCase() + "_response" : "error_response";
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JetStream.JSON.createObjectNode();
        }
        try {
            return JetStream.JSON.readTree(body);
        } catch (IOException e) {
            throw ApiError.invalidJson();
        }
    }

    /** The stream name the subject carries; the configuration's checks judge it. */
    private static String name(String op, String prefix) {
        return op.substring(prefix.length());
    }

    private MessageStream stream(String name) {
        MessageStream s = js.streams().get(name);
        if (s == null) {
            throw ApiError.streamNotFound();
        }
        return s;
    }

    // ---- streams --------------------------------------------------------------------------------------

    private CompletableFuture<Void> create(String name, JsonNode request, ObjectNode response) throws IOException {
        StreamSpec spec = StreamSpec.from(request);
        if (!spec.name().equals(name)) {
            throw ApiError.streamMismatch();
        }
        MessageStream existing = js.streams().get(name);
        if (existing != null) {
            if (!existing.spec().equals(spec)) {
                throw ApiError.streamNameInUse();
            }
            if (existing.replica() != null) { // the same create again: answered once the stream takes publishes
                return js.replication().awaitServing(spec).thenRunAsync(() -> streamInfo(existing, response),
                    js::execute);
            }
            streamInfo(existing, response);
            return null;
        }
        checkOverlap(spec, null);
        if (spec.replicas() > 1) {
            return createReplicated(spec, response);
        }
        streamInfo(js.create(spec), response);
        response.put("did_create", true);
        return null;
    }

    /** A stream with replicas: on this node and the first others by name after a turn that depends on the name. */
    private CompletableFuture<Void> createReplicated(StreamSpec spec, ObjectNode response) {
        StreamReplication replication = js.replication();
        if (replication == null) {
            throw ApiError.replicasNotSupported();
        }
        List<RaftPeer> candidates = replication.candidates();
        if (spec.replicas() > candidates.size()) {
            throw ApiError.of(400, 10005, "insufficient resources");
        }
        List<RaftPeer> others = new ArrayList<>(candidates.subList(1, candidates.size()));
        java.util.Collections.rotate(others, Math.floorMod(spec.name().hashCode(), Math.max(1, others.size())));
        List<RaftPeer> peers = new ArrayList<>();
        peers.add(candidates.get(0));
        peers.addAll(others.subList(0, spec.replicas() - 1));
        return replication.createEverywhere(spec, Instant.now(), peers).thenRunAsync(() -> {
            streamInfo(stream(spec.name()), response);
            response.put("did_create", true);
        }, js::execute);
    }

    private CompletableFuture<Void> update(String name, JsonNode request, ObjectNode response) throws IOException {
        StreamSpec next = StreamSpec.from(request);
        if (!next.name().equals(name)) {
            throw ApiError.streamMismatch();
        }
        MessageStream s = stream(name);
        s.spec().checkUpdateTo(next);
        checkOverlap(next, s);
        if (s.replica() != null) {
            if (next.replicas() != s.spec().replicas()) {
                throw ApiError.invalidConfig("changing the number of replicas is not supported");
            }
            return s.replica().proposeChange(StreamReplication.encodeUpdate(next))
                .thenRunAsync(() -> streamInfo(s, response), js::execute);
        }
        if (next.replicas() > 1) {
            throw js.replication() == null ? ApiError.replicasNotSupported()
                : ApiError.invalidConfig("changing the number of replicas is not supported");
        }
        js.update(s, next);
        streamInfo(s, response);
        return null;
    }

    /** {@code STREAM.LEADER.STEPDOWN}: the leader of a replicated stream hands over to another replica. */
    private CompletableFuture<Void> stepDown(String name, ObjectNode response) {
        StreamReplication replication = js.replication();
        if (replication == null) {
            throw ApiError.of(503, 10010, "JetStream clustering support required");
        }
        MessageStream s = stream(name);
        if (s.replica() == null) {
            throw ApiError.of(503, 10008, "JetStream system temporarily unavailable"); // an R1 stream has no other
        }
        return replication.stepDown(s.replica()).thenRun(() -> response.put("success", true));
    }

    /**
     * {@code CONSUMER.LEADER.STEPDOWN.<stream>.<consumer>}: a replicated stream's consumers run on its leader, so the
     * consumer gets a new leader with the stream's.
     */
    private CompletableFuture<Void> consumerStepDown(String[] t, ObjectNode response) {
        if (js.replication() == null) {
            throw ApiError.of(503, 10010, "JetStream clustering support required");
        }
        if (t.length != 5) {
            throw ApiError.badRequest();
        }
        MessageStream s = stream(t[3]);
        if (s.consumers().get(t[4]) == null) {
            throw ApiError.of(404, 10014, "consumer not found");
        }
        if (s.replica() == null) {
            throw ApiError.of(503, 10008, "JetStream system temporarily unavailable");
        }
        return js.replication().stepDown(s.replica()).thenRun(() -> response.put("success", true));
    }

    private CompletableFuture<Void> replicatedPurge(MessageStream s, JsonNode request, ObjectNode response) {
        if (s.spec().denyPurge()) {
            throw ApiError.of(400, 10083, "stream purge not permitted");
        }
        purgeRequest(request); // its checks, before it goes to the replicas
        return s.replica().proposeChange(StreamReplication.encodePurge(request)).thenAccept(result -> {
            response.put("success", true);
            response.put("purged", Long.parseLong(new String(result, StandardCharsets.UTF_8)));
        });
    }

    private CompletableFuture<Void> replicatedDelete(MessageStream s, JsonNode request, ObjectNode response) {
        if (s.spec().denyDelete()) {
            throw ApiError.of(400, 10082, "message delete not permitted");
        }
        long seq = request.path("seq").asLong(0);
        if (seq <= 0) {
            throw ApiError.badRequest();
        }
        return s.replica().proposeChange(StreamReplication.encodeDelete(seq)).thenAccept(result -> {
            if (!new String(result, StandardCharsets.UTF_8).equals("true")) {
                throw ApiError.of(500, 10057, "no message found");
            }
            response.put("success", true);
        });
    }

    private void checkOverlap(StreamSpec spec, MessageStream self) {
        for (MessageStream other : js.streams().values()) {
            if (other == self) {
                continue;
            }
            for (String a : spec.subjects()) {
                for (String b : other.spec().subjects()) {
                    if (SubjectFilter.overlap(a, b)) {
                        throw ApiError.subjectsOverlap();
                    }
                }
            }
        }
    }

    private void streamInfo(MessageStream s, ObjectNode response) {
        response.set("config", s.spec().toJson());
        response.put("created", goTime(s.created()));
        ObjectNode state = state(s.store().state());
        state.put("consumer_count", s.consumers().size());
        response.set("state", state);
        if (s.replica() != null) {
            s.replica().clusterInfo(response.putObject("cluster"));
        }
    }

    static ObjectNode state(StreamState st) {
        ObjectNode n = JetStream.JSON.createObjectNode();
        n.put("messages", st.msgs());
        n.put("bytes", st.bytes());
        n.put("first_seq", st.lastSeq() == 0 ? 0 : st.firstSeq()); // nats-server: 0 until the first message
        n.put("first_ts", goTimeNanos(st.msgs() == 0 ? 0 : st.firstTs()));
        n.put("last_seq", st.lastSeq());
        n.put("last_ts", goTimeNanos(st.lastTs()));
        if (st.numSubjects() > 0) {
            n.put("num_subjects", st.numSubjects());
        }
        if (st.numDeleted() > 0) {
            n.put("num_deleted", st.numDeleted());
        }
        n.put("consumer_count", 0);
        return n;
    }

    private void names(JsonNode request, ObjectNode response) {
        String subject = request.path("subject").asText("");
        List<String> names = new ArrayList<>();
        for (MessageStream s : js.streams().values()) {
            if (subject.isEmpty() || s.spec().subjects().stream().anyMatch(f -> SubjectFilter.overlap(f, subject))) {
                names.add(s.spec().name());
            }
        }
        int offset = page(request, response, names.size(), NAMES_LIMIT);
        ArrayNode arr = response.putArray("streams");
        names.stream().skip(offset).limit(NAMES_LIMIT).forEach(arr::add);
    }

    private void list(JsonNode request, ObjectNode response) {
        String subject = request.path("subject").asText("");
        List<MessageStream> all = new ArrayList<>();
        for (MessageStream s : js.streams().values()) {
            if (subject.isEmpty() || s.spec().subjects().stream().anyMatch(f -> SubjectFilter.overlap(f, subject))) {
                all.add(s);
            }
        }
        int offset = page(request, response, all.size(), LIST_LIMIT);
        ArrayNode arr = response.putArray("streams");
        all.stream().skip(offset).limit(LIST_LIMIT).forEach(s -> streamInfo(s, arr.addObject()));
    }

    private static int page(JsonNode request, ObjectNode response, int total, int limit) {
        int offset = Math.max(0, Math.min(request.path("offset").asInt(0), total));
        response.put("total", total);
        response.put("offset", offset);
        response.put("limit", limit);
        return offset;
    }

    private void purge(MessageStream s, JsonNode request, ObjectNode response) {
        if (s.spec().denyPurge()) {
            throw ApiError.of(400, 10083, "stream purge not permitted");
        }
        response.put("success", true);
        response.put("purged", s.store().purge(purgeRequest(request)));
    }

    /** A purge request's {@code filter}, {@code seq} and {@code keep}, checked. */
    static PurgeRequest purgeRequest(JsonNode request) {
        PurgeRequest purge = PurgeRequest.all();
        String filter = request.path("filter").asText("");
        if (!filter.isEmpty()) {
            purge = purge.withFilter(SubjectFilter.predicate(filter));
        }
        long seq = request.path("seq").asLong(0);
        long keep = request.path("keep").asLong(0);
        if (seq > 0 && keep > 0) {
            throw ApiError.badRequest();
        }
        if (seq > 0) {
            purge = new PurgeRequest(purge.filter(), seq, 0);
        } else if (keep > 0) {
            purge = new PurgeRequest(purge.filter(), 0, keep);
        }
        return purge;
    }

    private void getMessage(MessageStream s, JsonNode request, ObjectNode response) {
        long seq = request.path("seq").asLong(0);
        String last = request.path("last_by_subj").asText("");
        String next = request.path("next_by_subj").asText("");
        StoredMessage m;
        if (!last.isEmpty()) {
            m = s.store().lastBySubject(SubjectFilter.predicate(last));
        } else if (!next.isEmpty()) {
            m = s.store().nextBySubject(SubjectFilter.predicate(next), Math.max(seq, 1));
        } else if (seq > 0) {
            m = s.store().get(seq);
        } else {
            throw ApiError.badRequest();
        }
        if (m == null) {
            throw ApiError.noMessageFound();
        }
        ObjectNode msg = response.putObject("message");
        msg.put("subject", m.subject());
        msg.put("seq", m.seq());
        if (m.headers() != null && m.headers().length > 0) {
            msg.put("hdrs", Base64.getEncoder().encodeToString(m.headers()));
        }
        msg.put("data", Base64.getEncoder().encodeToString(m.payload()));
        msg.put("time", goTimeNanos(m.timestamp()));
    }

    private void deleteMessage(MessageStream s, JsonNode request, ObjectNode response) {
        if (s.spec().denyDelete()) {
            throw ApiError.of(400, 10082, "message delete not permitted");
        }
        long seq = request.path("seq").asLong(0);
        if (seq <= 0) {
            throw ApiError.badRequest();
        }
        if (!s.store().delete(seq)) {
            throw ApiError.of(500, 10057, "no message found");
        }
        response.put("success", true);
    }

    private void accountInfo(ObjectNode response) {
        long[] usage = js.usage();
        response.put("memory", usage[0]);
        response.put("storage", usage[1]);
        response.put("streams", js.streams().size());
        response.put("consumers", js.streams().values().stream().mapToInt(s -> s.consumers().size()).sum());
        ObjectNode limits = response.putObject("limits");
        limits.put("max_memory", js.config().maxMemory());
        limits.put("max_storage", js.config().maxStore());
        limits.put("max_streams", -1);
        limits.put("max_consumers", -1);
        limits.put("max_ack_pending", -1);
        limits.put("memory_max_stream_bytes", -1);
        limits.put("storage_max_stream_bytes", -1);
        limits.put("max_bytes_required", false);
        ObjectNode api = response.putObject("api");
        api.put("total", js.apiTotal.get());
        api.put("errors", js.apiErrors.get());
    }

    /** Go's {@code time.Time} in JSON: RFC 3339 with nanoseconds, UTC; the zero time for 0. */
    static String goTimeNanos(long epochNanos) {
        if (epochNanos == 0) {
            return "0001-01-01T00:00:00Z";
        }
        return goTime(Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L));
    }

    static String goTime(Instant t) {
        String s = GO_TIME.format(t);
        // Go drops trailing zeros of the fraction, and the dot with them
        int dot = s.indexOf('.');
        int end = s.length() - 1;
        int last = end - 1;
        while (last > dot && s.charAt(last) == '0') {
            last--;
        }
        return (last == dot ? s.substring(0, dot) : s.substring(0, last + 1)) + "Z";
    }
}
