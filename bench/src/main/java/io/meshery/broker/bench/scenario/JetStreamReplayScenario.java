package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.FrameScanner;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jsreplay-pull} and {@code jsreplay-ordered}: a file stream is filled (untimed), then read back in full by a
 * consumer, and the rate of that read is measured; every stream sequence must arrive exactly once and in order.
 *
 * <p><b>Fill.</b> A first connection creates the file stream {@code REPLAY} on {@code replay.>} and publishes the
 * count of 128-byte messages to {@code replay.msg} the way {@code jspubasync} does (up to 4 000 PubAcks outstanding,
 * each checked; see {@link JetStreamPublishScenario#fill}). A fault in the fill fails the run before any replay.
 * The warm-up run (same server process) uses {@code REPLAY_WARMUP} on {@code replaywarmup.>} and deletes it when it
 * is done, so the timed stream is the only one.
 *
 * <p><b>{@code jsreplay-pull}.</b> A second connection subscribes to {@code _INBOX.bjr.pull} and
 * {@code _INBOX.bjr.api} and creates the durable pull consumer {@code REPLAYER} with
 * {@code $JS.API.CONSUMER.DURABLE.CREATE.REPLAY.REPLAYER} and
 * {@code {"stream_name":"REPLAY","config":{"durable_name":"REPLAYER","deliver_policy":"all","ack_policy":"explicit",
 * "max_ack_pending":20000}}}. The timed part starts with the first pull request,
 * {@code PUB $JS.API.CONSUMER.MSG.NEXT.REPLAY.REPLAYER _INBOX.bjr.pull} with {@code {"batch":500,"expires":5 s in
 * ns}}. Requested but undelivered messages are the outstanding credit; whenever it falls to one batch a new request
 * goes out, so about two requests are always waiting (never more than the messages still missing). Each message is
 * acknowledged by {@code PUB <its $JS.ACK reply> 4} {@code +ACK} without waiting for a confirmation; the acks of one
 * read go out in one write, together with any new pull request. A {@code 408 Request Timeout} gives back its
 * {@code Nats-Pending-Messages} as credit (a new request replaces it); any other status (404, 409, 400) is a
 * problem. After the last message, {@code CONSUMER.INFO} is polled for up to 10 s until {@code num_ack_pending} is
 * 0 and {@code ack_floor.stream_seq} is the last sequence: acks the server never processed fail the run.
 *
 * <p><b>{@code jsreplay-ordered}.</b> The consumer nats.go creates for {@code js.Subscribe("replay.>", cb,
 * nats.OrderedConsumer())} (nats.go 1.2x, {@code js.go}): the second connection subscribes to its deliver subject
 * {@code _INBOX.bjr.deliver} first, then the timed part starts with
 * {@code $JS.API.CONSUMER.CREATE.REPLAY} and {@code {"stream_name":"REPLAY","config":{"deliver_policy":"all",
 * "ack_policy":"none","ack_wait":79200000000000,"max_deliver":1,"filter_subject":"replay.>","replay_policy":
 * "instant","flow_control":true,"idle_heartbeat":5000000000,"deliver_subject":"_INBOX.bjr.deliver",
 * "num_replicas":1,"mem_storage":true}}}. Messages arrive with their stream subject; a message on the deliver
 * subject itself is a status: {@code 100 FlowControl Request} is answered at once with an empty publish to its
 * reply subject (every message before it has been read by then), a {@code 100 Idle Heartbeat} is counted, and
 * answered on its {@code Nats-Consumer-Stalled} subject when it has one (as nats.go does). Any other status is a
 * problem. A note gives the time from each answer to the read that brought the next delivery, summed: how long
 * the consumer waited on flow control, at most (deliveries already on their way end the wait early).
 *
 * <p><b>Checks.</b> The stream and consumer sequences come from each message's reply subject,
 * {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>} (or the 12-token
 * form with domain and account hash), see {@link ReplayCheck}. Lost = stream messages never delivered. A message
 * without such a reply subject is counted but cannot be checked (noted; in the pull scenario it cannot be acked
 * either, which is a problem). The rate runs from the start of the timed part to the read that completed the last
 * message. Server and client CPU are counted over the timed part only ({@link ScenarioContext#timedPartStarts()}),
 * per replayed message. No delivery for 10 s ends the replay, as does a time limit of
 * max(60 s, count / 10 000 msg/s), the same as the fill's.
 */
public final class JetStreamReplayScenario implements Scenario {

    /** How the stream is read back. */
    enum Mode { PULL, ORDERED }

    static final int PULL_BATCH = 500;
    static final Duration PULL_EXPIRES = Duration.ofSeconds(5);
    static final int MAX_ACK_PENDING = 20_000;
    /** nats.go's {@code orderedHeartbeatsInterval}. */
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    static final String API_INBOX = "_INBOX.bjr.api";
    static final String PULL_INBOX = "_INBOX.bjr.pull";
    static final String DELIVER_SUBJECT = "_INBOX.bjr.deliver";
    static final String DURABLE = "REPLAYER";
    private static final byte[] PUB = "PUB ".getBytes(StandardCharsets.US_ASCII);
    private static final Duration API_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STALL = Duration.ofSeconds(10);
    private static final Duration ACKS_SETTLE = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofMillis(500);
    /** The fill and the replay may each take max(this, count / {@link #MIN_RATE}). */
    private static final Duration MIN_PHASE = Duration.ofSeconds(60);
    private static final long MIN_RATE = 10_000;
    private static final int READ_BUFFER = 1 << 20;
    private static final Pattern ACK_PENDING = Pattern.compile("\"num_ack_pending\"\\s*:\\s*(\\d+)");
    private static final Pattern ACK_FLOOR = Pattern.compile(
            "\"ack_floor\"\\s*:\\s*\\{[^}]*\"stream_seq\"\\s*:\\s*(\\d+)");
    private static final Pattern REDELIVERED = Pattern.compile("\"num_redelivered\"\\s*:\\s*(\\d+)");

    private final String name;
    private final Mode mode;

    private JetStreamReplayScenario(String name, Mode mode) {
        this.name = name;
        this.mode = mode;
    }

    /** {@code jsreplay-pull}: a durable pull consumer, batches of 500, every message acked. */
    public static JetStreamReplayScenario pull() {
        return new JetStreamReplayScenario("jsreplay-pull", Mode.PULL);
    }

    /** {@code jsreplay-ordered}: an ordered push consumer as nats.go creates it. */
    public static JetStreamReplayScenario ordered() {
        return new JetStreamReplayScenario("jsreplay-ordered", Mode.ORDERED);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return mode == Mode.PULL
                ? "JetStream replay: a filled file stream (128 B messages) read back by a durable pull consumer, "
                + "batches of " + PULL_BATCH + ", 2 requests outstanding, every message acked: msg/s"
                : "JetStream replay: a filled file stream (128 B messages) read back by an ordered push consumer "
                + "(flow control, heartbeats, as nats.go): msg/s";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 1_000_000;
    }

    @Override
    public long smokeCount() {
        return 10_000;
    }

    @Override
    public boolean jetStream() {
        return true;
    }

    /** The fill and the replay, each up to {@link #phaseLimit}, plus the API requests around them. */
    @Override
    public Duration setupAllowance(long count) {
        return phaseLimit(count).multipliedBy(2).plusSeconds(30);
    }

    static Duration phaseLimit(long count) {
        Duration byRate = Duration.ofMillis(count * 1000 / MIN_RATE);
        return byRate.compareTo(MIN_PHASE) > 0 ? byRate : MIN_PHASE;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        String stream = ctx.warmup() ? "REPLAY_WARMUP" : "REPLAY";
        String subject = ctx.warmup() ? "replaywarmup.msg" : "replay.msg";
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        NatsWireClient filler = ctx.connect("js-filler", 256 * 1024);
        JetStreamPublishScenario.Fill fill = JetStreamPublishScenario.fill(filler, stream, subject, count,
                System.nanoTime() + phaseLimit(count).toNanos());
        filler.close();
        notes.add(String.format(Locale.ROOT, "fill (untimed): %d messages in %.1f s, %.0f msg/s", fill.acked(),
                fill.elapsedNanos() / 1e9, fill.acked() * 1e9 / fill.elapsedNanos()));
        if (!fill.problems().isEmpty()) {
            fill.problems().forEach(p -> problems.add("fill: " + p));
            return new Measurement(0, "msg", Payloads.values("msgs_per_sec", 0.0), count, 0, 0, problems, notes);
        }
        if (fill.acked() < count) {
            notes.add("fill time limit (" + phaseLimit(count).toSeconds() + " s) reached after " + fill.acked()
                    + " of " + count + " messages; replaying those");
        }
        long total = fill.acked();

        NatsWireClient c = ctx.connect("js-replayer", READ_BUFFER);
        Reader reader = new Reader(mode, total);
        c.subscribe(API_INBOX, null, 1);
        c.subscribe(mode == Mode.PULL ? PULL_INBOX : DELIVER_SUBJECT, null, 2);
        c.flush();
        c.setReadTimeout(TICK);
        Replay replay = new Replay(c, reader, stream, total, problems, notes);
        if (mode == Mode.PULL) {
            String answer = replay.request("$JS.API.CONSUMER.DURABLE.CREATE." + stream + "." + DURABLE,
                    "{\"stream_name\":\"" + stream + "\",\"config\":{\"durable_name\":\"" + DURABLE
                            + "\",\"deliver_policy\":\"all\",\"ack_policy\":\"explicit\",\"max_ack_pending\":"
                            + MAX_ACK_PENDING + "}}");
            if (answer == null || answer.contains("\"error\"") || !answer.contains("\"config\"")) {
                problems.add("pull consumer create failed: " + (answer == null ? "no answer within "
                        + API_TIMEOUT.toSeconds() + " s" : answer));
                return replay.measurement(0, 1);
            }
        }
        ctx.timedPartStarts();
        long started = System.nanoTime();
        if (mode == Mode.ORDERED) {
            replay.send(frame("$JS.API.CONSUMER.CREATE." + stream, API_INBOX, orderedConfig(stream,
                    subject.substring(0, subject.lastIndexOf('.')) + ".>")));
        }
        long last = replay.loop(started);
        if (mode == Mode.PULL && replay.connected) {
            replay.checkAcks(last);
        }
        if (ctx.warmup() && replay.connected) {
            String answer = replay.request("$JS.API.STREAM.DELETE." + stream, "");
            if (answer == null || !answer.contains("\"success\":true")) {
                notes.add("could not delete the warm-up stream " + stream + ": " + answer);
            }
        }
        return replay.measurement(started, last);
    }

    /** The create request of nats.go's ordered consumer, field for field in nats.go's order. */
    static String orderedConfig(String stream, String filter) {
        return "{\"stream_name\":\"" + stream + "\",\"config\":{\"deliver_policy\":\"all\",\"ack_policy\":\"none\","
                + "\"ack_wait\":" + TimeUnit.HOURS.toNanos(22) + ",\"max_deliver\":1,\"filter_subject\":\"" + filter
                + "\",\"replay_policy\":\"instant\",\"flow_control\":true,\"idle_heartbeat\":" + HEARTBEAT.toNanos()
                + ",\"deliver_subject\":\"" + DELIVER_SUBJECT + "\",\"num_replicas\":1,\"mem_storage\":true}}";
    }

    /** {@code PUB <subject> <reply> <n>\r\n<body>\r\n}. */
    static byte[] frame(String subject, String reply, String body) {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("PUB " + subject + " " + reply + " " + payload.length + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[head.length + payload.length + 2];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(payload, 0, frame, head.length, payload.length);
        frame[frame.length - 2] = '\r';
        frame[frame.length - 1] = '\n';
        return frame;
    }

    /** One replay on the replaying connection: its loop, API requests, the ack check and the measurement. */
    private final class Replay {
        private final NatsWireClient c;
        private final Reader reader;
        private final String stream;
        private final long total;
        private final List<String> problems;
        private final List<String> notes;
        private final byte[] fullPull;
        private boolean connected = true;
        private long requested;
        private long requests;
        /** Flow-control answers written so far, when the last one went out, and the deliveries before it. */
        private long answersWritten;
        private long answeredAt;
        private long deliveriesAtAnswer;
        /** Sum over the answers of the time from writing one to the read that brought the next delivery. */
        private long answerToDeliveryNanos;

        Replay(NatsWireClient c, Reader reader, String stream, long total, List<String> problems,
               List<String> notes) {
            this.c = c;
            this.reader = reader;
            this.stream = stream;
            this.total = total;
            this.problems = problems;
            this.notes = notes;
            this.fullPull = pullFrame(PULL_BATCH);
        }

        private byte[] pullFrame(int batch) {
            return frame("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + DURABLE, PULL_INBOX,
                    "{\"batch\":" + batch + ",\"expires\":" + PULL_EXPIRES.toNanos() + "}");
        }

        void send(byte[] frame) throws IOException {
            reader.out.append(frame, 0, frame.length);
            reader.out.flushTo(c);
        }

        /**
         * Writes what is queued (acks, pull requests, flow-control answers: one write), then one read, or a tick
         * without data. False once the server closed the connection.
         */
        boolean step() throws IOException {
            long answers = reader.flowControls + reader.stalled;
            if (answers > answersWritten) {
                answersWritten = answers;
                answeredAt = System.nanoTime();
                deliveriesAtAnswer = reader.deliveries;
            }
            reader.out.flushTo(c);
            try {
                if (c.read(reader) < 0) {
                    connected = false;
                }
            } catch (SocketTimeoutException e) {
                // a tick without data: the caller checks its clocks
            }
            if (answeredAt != 0 && reader.deliveries > deliveriesAtAnswer) {
                answerToDeliveryNanos += System.nanoTime() - answeredAt;
                answeredAt = 0;
            }
            return connected;
        }

        /** Sends a JetStream API request and returns the answer, or null when none came within 10 s. */
        String request(String subject, String body) throws IOException {
            reader.apiResponse = null;
            send(frame(subject, API_INBOX, body));
            long deadline = System.nanoTime() + API_TIMEOUT.toNanos();
            while (reader.apiResponse == null && System.nanoTime() < deadline) {
                if (!step()) {
                    problems.add("the server closed the connection waiting for the answer to " + subject);
                    return null;
                }
            }
            return reader.apiResponse;
        }

        /** Reads until every message arrived or the replay stalls; returns when the last delivery arrived. */
        long loop(long started) {
            long deadline = started + phaseLimit(total).toNanos();
            long last = started;
            long seen = 0;
            long lastProgress = started;
            boolean createAnswered = mode != Mode.ORDERED;
            try {
                while (!reader.check.complete()) {
                    if (mode == Mode.PULL) {
                        topUp();
                    }
                    if (!step()) {
                        problems.add("the server closed the connection after " + reader.deliveries
                                + " deliveries");
                        break;
                    }
                    long now = System.nanoTime();
                    if (reader.deliveries > seen) {
                        seen = reader.deliveries;
                        last = now;
                        lastProgress = now;
                    }
                    if (!createAnswered && reader.apiResponse != null) {
                        createAnswered = true;
                        String answer = reader.apiResponse;
                        if (answer.contains("\"error\"") || !answer.contains("\"config\"")) {
                            problems.add("ordered consumer create failed: " + answer);
                            break;
                        }
                    }
                    if (now - lastProgress > STALL.toNanos()) {
                        problems.add(stallReport(now - lastProgress, createAnswered));
                        break;
                    }
                    if (now > deadline) {
                        problems.add("replay time limit (" + phaseLimit(total).toSeconds() + " s) reached after "
                                + reader.check.received() + " of " + total + " messages");
                        break;
                    }
                }
            } catch (IOException e) {
                connected = false;
                problems.add("after " + reader.deliveries + " deliveries: " + e);
            }
            return last;
        }

        /** Keeps one to two batches requested and undelivered, never more than the messages still missing. */
        private void topUp() {
            long need = total - reader.check.received();
            long outstanding = requested - reader.deliveries - reader.expiredCredit;
            while (outstanding <= PULL_BATCH && outstanding < need) {
                int batch = (int) Math.min(PULL_BATCH, need - outstanding);
                byte[] f = batch == PULL_BATCH ? fullPull : pullFrame(batch);
                reader.out.append(f, 0, f.length);
                requested += batch;
                outstanding += batch;
                requests++;
            }
        }

        private String stallReport(long idleNanos, boolean createAnswered) {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "no message for %.0f s after %d of %d (%d deliveries)", idleNanos / 1e9,
                    reader.check.received(), total, reader.deliveries));
            if (mode == Mode.PULL) {
                s.append(String.format(Locale.ROOT, "; %d pull requests sent for %d messages, %d expired (408)"
                                + " giving back %d, so %d requested and undelivered", requests, requested,
                        reader.timeouts, reader.expiredCredit, requested - reader.deliveries - reader.expiredCredit));
            } else {
                s.append(String.format(Locale.ROOT, "; %d flow-control requests answered, %d heartbeats (%d with "
                                + "Nats-Consumer-Stalled, answered)%s", reader.flowControls, reader.heartbeats,
                        reader.stalled, createAnswered ? "" : ", CONSUMER.CREATE not answered"));
            }
            if (reader.lastStatus != null) {
                s.append("; last status: ").append(reader.lastStatus);
            }
            return s.toString();
        }

        /** Polls CONSUMER.INFO until every ack is processed or {@link #ACKS_SETTLE} passed. */
        void checkAcks(long last) throws IOException {
            reader.out.flushTo(c);
            long deadline = System.nanoTime() + ACKS_SETTLE.toNanos();
            String info = null;
            long pending = -1;
            long floor = -1;
            while (System.nanoTime() < deadline) {
                info = request("$JS.API.CONSUMER.INFO." + stream + "." + DURABLE, "");
                if (info == null) {
                    break;
                }
                pending = number(ACK_PENDING, info);
                floor = number(ACK_FLOOR, info);
                if (pending == 0 && floor >= reader.check.received()) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long after = (System.nanoTime() - last) / 1_000_000;
            long redelivered = info == null ? -1 : number(REDELIVERED, info);
            if (pending == 0 && floor >= reader.check.received()) {
                notes.add("acks: CONSUMER.INFO showed num_ack_pending 0, ack_floor stream_seq " + floor
                        + (redelivered > 0 ? ", num_redelivered " + redelivered : "") + " " + after
                        + " ms after the last message");
            } else {
                problems.add("acks not all processed " + after + " ms after the last message: CONSUMER.INFO "
                        + (info == null ? "not answered" : "showed num_ack_pending " + pending + ", ack_floor "
                        + "stream_seq " + floor + " (" + reader.acksSent + " acks sent): "
                        + info.substring(0, Math.min(info.length(), 600))));
            }
        }

        private static long number(Pattern p, String json) {
            Matcher m = p.matcher(json);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        Measurement measurement(long started, long last) {
            problems.addAll(reader.problems());
            problems.addAll(reader.check.problems());
            long received = reader.check.received();
            if (received < total && problems.isEmpty()) {
                problems.add("lost " + (total - received) + " of " + total);
            }
            if (received < total) {
                problems.add(reader.check.missing());
            }
            if (reader.check.uncheckedCount() > 0) {
                notes.add(reader.check.uncheckedCount() + " messages without a $JS.ACK reply subject: counted, "
                        + "sequences not checked");
            }
            if (mode == Mode.PULL) {
                notes.add(String.format(Locale.ROOT, "%d pull requests (batch <= %d) for %d messages, %d expired "
                        + "(408), %d acks sent", requests, PULL_BATCH, requested, reader.timeouts, reader.acksSent));
            } else {
                notes.add(String.format(Locale.ROOT, "%d flow-control requests answered, %d idle heartbeats"
                        + " (%d with Nats-Consumer-Stalled, answered); from each answer to the next delivery read: "
                        + "%.0f ms in all (%.0f%% of the replay)", reader.flowControls, reader.heartbeats,
                        reader.stalled, answerToDeliveryNanos / 1e6,
                        100.0 * answerToDeliveryNanos / Math.max(1, last - started)));
            }
            double rate = received * 1e9 / Math.max(1, last - started);
            return new Measurement(received, "msg", Payloads.values("msgs_per_sec", rate), total, received,
                    connected ? 0 : 1, List.copyOf(problems), List.copyOf(notes));
        }
    }

    /**
     * Reads the replaying connection: data messages go to the {@link ReplayCheck} (and, for the pull consumer, get
     * their ack queued), statuses on the inbox or deliver subject are handled, API answers kept. What is to be sent
     * is queued in {@link #out} and written by the loop after each read.
     */
    static final class Reader implements FrameScanner.PayloadHandler {
        private static final int DATA = 1;
        private static final int API = 2;
        private static final int STATUS = 3;
        private static final byte[] ACK_TAIL = " 4\r\n+ACK\r\n".getBytes(StandardCharsets.US_ASCII);
        private final Mode mode;
        private final byte[] apiInbox = API_INBOX.getBytes(StandardCharsets.US_ASCII);
        private final byte[] statusSubject;
        final ReplayCheck check;
        final Output out = new Output();
        private final long[] meta = new long[3];
        private int kind;
        private byte[] payload = new byte[4096];
        private int length;
        private String statusReply;
        String apiResponse;
        String lastStatus;
        long deliveries;
        long acksSent;
        long expiredCredit;
        long timeouts;
        long flowControls;
        long heartbeats;
        long stalled;
        private long wrongSize;
        private String wrongSizeExample;
        private long noAckSubject;
        private long otherStatuses;
        private final List<String> statusExamples = new ArrayList<>();

        Reader(Mode mode, long total) {
            this.mode = mode;
            this.statusSubject = (mode == Mode.PULL ? PULL_INBOX : DELIVER_SUBJECT)
                    .getBytes(StandardCharsets.US_ASCII);
            this.check = new ReplayCheck(total);
        }

        @Override
        public void onMsg(byte[] b, int subjectStart, int subjectEnd, int replyStart, int replyEnd, int size) {
            length = 0;
            if (equal(b, subjectStart, subjectEnd, apiInbox)) {
                kind = API;
                return;
            }
            if (equal(b, subjectStart, subjectEnd, statusSubject)) {
                kind = STATUS;
                statusReply = replyStart < 0 ? null
                        : new String(b, replyStart, replyEnd - replyStart, StandardCharsets.US_ASCII);
                return;
            }
            kind = DATA;
            deliveries++;
            if (size != JetStreamPublishScenario.PAYLOAD_SIZE && wrongSize++ == 0) {
                wrongSizeExample = new String(b, subjectStart, subjectEnd - subjectStart, StandardCharsets.US_ASCII)
                        + " with " + size + " bytes";
            }
            if (replyStart >= 0 && AckMetadata.parse(b, replyStart, replyEnd, meta)) {
                check.record(meta[1], meta[2], meta[0]);
                if (mode == Mode.PULL) {
                    out.append(PUB, 0, PUB.length);
                    out.append(b, replyStart, replyEnd);
                    out.append(ACK_TAIL, 0, ACK_TAIL.length);
                    acksSent++;
                }
            } else {
                check.recordUnchecked();
                if (mode == Mode.PULL) {
                    noAckSubject++;
                }
            }
        }

        private static boolean equal(byte[] b, int from, int to, byte[] what) {
            if (to - from != what.length) {
                return false;
            }
            for (int i = 0; i < what.length; i++) {
                if (b[from + i] != what[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void onPayload(byte[] b, int from, int to) {
            if (kind == DATA) {
                return;
            }
            int n = to - from;
            if (length + n > payload.length) {
                payload = Arrays.copyOf(payload, Math.max(payload.length * 2, length + n));
            }
            System.arraycopy(b, from, payload, length, n);
            length += n;
        }

        @Override
        public void onPayloadEnd() {
            if (kind == API) {
                apiResponse = new String(payload, 0, length, StandardCharsets.UTF_8);
            } else if (kind == STATUS) {
                status(new String(payload, 0, length, StandardCharsets.UTF_8));
            }
            kind = 0;
        }

        /** A header-only status message ({@code NATS/1.0 <code> <description>} and headers). */
        private void status(String message) {
            String first = message.lines().findFirst().orElse("").trim();
            String status = first.startsWith("NATS/1.0") ? first.substring("NATS/1.0".length()).trim() : first;
            lastStatus = message.strip().replace("\r\n", " | ");
            if (status.startsWith("100") && status.contains("FlowControl") && mode == Mode.ORDERED) {
                flowControls++;
                if (statusReply != null) {
                    out.publishEmpty(statusReply);
                } else {
                    other("flow-control request without a reply subject", message);
                }
            } else if (status.startsWith("100") && status.contains("Idle Heartbeat")) {
                heartbeats++;
                String stalledOn = header(message, "Nats-Consumer-Stalled");
                if (stalledOn != null && mode == Mode.ORDERED) {
                    stalled++;
                    out.publishEmpty(stalledOn);
                }
            } else if (status.startsWith("408") && mode == Mode.PULL) {
                timeouts++;
                String pending = header(message, "Nats-Pending-Messages");
                try {
                    expiredCredit += pending == null ? PULL_BATCH : Long.parseLong(pending);
                } catch (NumberFormatException e) {
                    expiredCredit += PULL_BATCH;
                }
            } else {
                other("status", message);
            }
        }

        private void other(String what, String message) {
            if (otherStatuses++ < 3) {
                statusExamples.add(what + " " + message.strip().replace("\r\n", " | ")
                        + (statusReply == null ? "" : " (reply " + statusReply + ")"));
            }
        }

        /** The value of header {@code key} (case-insensitive) in a header block, or null. */
        static String header(String block, String key) {
            for (String line : block.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (otherStatuses > 0) {
                problems.add(otherStatuses + " unexpected status messages, e.g. " + String.join("; ",
                        statusExamples));
            }
            if (wrongSize > 0) {
                problems.add(wrongSize + " messages whose payload is not " + JetStreamPublishScenario.PAYLOAD_SIZE
                        + " bytes, e.g. " + wrongSizeExample);
            }
            if (noAckSubject > 0) {
                problems.add(noAckSubject + " messages without a $JS.ACK reply subject: they cannot be acked");
            }
            return problems;
        }
    }

    /** A growing byte buffer of frames to write: acks, pull requests, flow-control answers. */
    static final class Output {
        private static final byte[] EMPTY_TAIL = " 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private byte[] buf = new byte[64 * 1024];
        private int length;

        void append(byte[] b, int from, int to) {
            int n = to - from;
            if (length + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + n));
            }
            System.arraycopy(b, from, buf, length, n);
            length += n;
        }

        /** {@code PUB <subject> 0\r\n\r\n}. */
        void publishEmpty(String subject) {
            byte[] s = subject.getBytes(StandardCharsets.US_ASCII);
            append(PUB, 0, PUB.length);
            append(s, 0, s.length);
            append(EMPTY_TAIL, 0, EMPTY_TAIL.length);
        }

        void flushTo(NatsWireClient c) throws IOException {
            if (length > 0) {
                c.send(buf, length);
                length = 0;
            }
        }

        /** What is queued, as text (tests). */
        String text() {
            return new String(buf, 0, length, StandardCharsets.US_ASCII);
        }
    }
}
