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
 * {@code jspubsync} and {@code jspubasync}: one publisher into a file-backed JetStream stream, every PubAck checked.
 *
 * <p>The run first creates the stream with a request on {@code $JS.API.STREAM.CREATE.BENCH} carrying
 * {@code {"name":"BENCH","subjects":["bench.js.>"],"storage":"file"}} (the warm-up run, on the same server, uses
 * its own stream {@code BENCH_WARMUP} on {@code bench.jswarmup.>}, so the timed stream starts empty). Then it
 * publishes 128-byte messages to {@code bench.js.pub}, message {@code n} with reply subject {@code _INBOX.bjs.<n>}:
 * a JetStream publish is a plain {@code PUB} with a reply inbox, and the server answers on it with a PubAck
 * {@code {"stream":"BENCH","seq":N}}. At most {@code window} messages are unacknowledged at any time: 1 for
 * {@code jspubsync} (publish, wait for the ack, next; each ack's latency is timed from before the write to the read
 * that completes the ack), 4 000 for {@code jspubasync} (what an asynchronous publisher with a bound on pending acks
 * does). One thread writes and reads the connection. The untimed warm-up run publishes {@value #WARMUP} messages
 * with the 4 000 window in both scenarios, then {@value #SYNC_WARMUP} synchronous ones in {@code jspubsync} (see
 * {@link #warmupCount}).
 *
 * <p>Every ack is checked by {@link PubAckCheck} (stream name, sequence one above the previous, the right inbox);
 * any fault makes the run fail. {@code lost = published − acked}: an ack missing for 10 s ends the run. The rate
 * runs from the first publish to the last ack.
 *
 * <p>{@code jsr3pubsync} and {@code jsr3pubasync} ({@link #syncR3()}, {@link #asyncR3()}) do the same against a
 * 3-node cluster with JetStream on every node, into streams created with {@code "num_replicas":3}; the publisher is
 * connected to node 1, which need not lead the stream (the run notes which node does). A cluster answers the first
 * {@code STREAM.CREATE} of an R3 stream only once its JetStream is ready (nats-server first elects its meta leader
 * and answers {@code 503} / {@code 10008} "JetStream system temporarily unavailable", or nothing, until then), so
 * the create is retried until it succeeds, for at most {@value #CREATE_DEADLINE_SECONDS} s (see
 * {@link #createStream(NatsWireClient, AckReader, String, String, int)}). That wait is setup: the run's CPU and
 * wall-clock measurement ({@link ScenarioContext#timedPartStarts()}) and its publish time limit start after the
 * create. The warm-up is the single-node scenarios', into an R3 stream {@code BENCH_WARMUP}.
 */
public final class JetStreamPublishScenario implements Scenario {

    static final int PAYLOAD_SIZE = 128;
    static final String INBOX = "_INBOX.bjs.";
    private static final String CREATE_TOKEN = "create";
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static final int BATCH_BYTES = 64 * 1024;
    private static final int WARMUP = 50_000;
    private static final int SYNC_WARMUP = 10_000;
    private static final int ASYNC_WINDOW = 4_000;
    /** Nodes of the cluster an R3 scenario runs against, and the stream's replicas. */
    private static final int R3 = 3;
    static final int CREATE_DEADLINE_SECONDS = 30;
    /**
     * How long one create attempt of a replicated stream waits for its answer before the next is sent: as long as a
     * single-node create may take. Our broker may take several seconds to create a replicated stream on a busy
     * machine (6.4 s seen), and an identical create sent while the first is still in progress was answered with
     * success at once, before the stream's leader took its subjects: what was published on that answer was
     * dropped, without a PubAck. The retry is for a cluster whose JetStream is not ready, not for a slow create.
     */
    private static final Duration CREATE_ATTEMPT_WAIT = ACK_TIMEOUT;
    private static final Duration CREATE_RETRY_PAUSE = Duration.ofMillis(250);
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"([^\"]*)\"");

    private final String name;
    private final int window;
    private final long defaultCount;
    private final long smokeCount;
    private final int replicas;

    private JetStreamPublishScenario(String name, int window, long defaultCount, long smokeCount, int replicas) {
        this.name = name;
        this.window = window;
        this.defaultCount = defaultCount;
        this.smokeCount = smokeCount;
        this.replicas = replicas;
    }

    /** {@code jspubsync}: publish, wait for the PubAck, next. */
    public static JetStreamPublishScenario sync() {
        return new JetStreamPublishScenario("jspubsync", 1, 5_000, 200, 1);
    }

    /** {@code jspubasync}: up to 4 000 PubAcks outstanding. */
    public static JetStreamPublishScenario async() {
        return new JetStreamPublishScenario("jspubasync", ASYNC_WINDOW, 200_000, 10_000, 1);
    }

    /** {@code jsr3pubsync}: {@code jspubsync} into a stream replicated on the 3 nodes of a cluster. */
    public static JetStreamPublishScenario syncR3() {
        return new JetStreamPublishScenario("jsr3pubsync", 1, 2_000, 200, R3);
    }

    /** {@code jsr3pubasync}: {@code jspubasync} into a stream replicated on the 3 nodes of a cluster. */
    public static JetStreamPublishScenario asyncR3() {
        return new JetStreamPublishScenario("jsr3pubasync", ASYNC_WINDOW, 100_000, 5_000, R3);
    }

    private boolean synchronous() {
        return window == 1;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        String into = replicas > 1
                ? "3-node cluster, JetStream, 1 publisher on node 1 into a file stream with 3 replicas"
                : "JetStream, 1 publisher into a file stream";
        return synchronous()
                ? into + ", each publish waits for its PubAck, 128 B: msg/s, ack latency p50/p99"
                : into + ", up to " + window + " PubAcks outstanding, 128 B: msg/s";
    }

    @Override
    public List<Metric> metrics() {
        return synchronous()
                ? List.of(Metric.higher("msgs_per_sec", "msg/s"), Metric.lower("p50_us", "µs p50"),
                        Metric.lower("p99_us", "µs p99"))
                : List.of(Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return defaultCount;
    }

    @Override
    public long smokeCount() {
        return smokeCount;
    }

    @Override
    public boolean jetStream() {
        return true;
    }

    /**
     * The R3 scenarios may spend up to {@value #CREATE_DEADLINE_SECONDS} s creating their stream, before the timed
     * part and the publish time limit start.
     */
    @Override
    public Duration setupAllowance(long count) {
        return replicas > 1 ? Duration.ofSeconds(CREATE_DEADLINE_SECONDS) : Duration.ZERO;
    }

    /** 3 for the R3 scenarios (a cluster with JetStream on every node), 0 for the single-node ones. */
    @Override
    public int clusterSize() {
        return replicas > 1 ? R3 : 0;
    }

    /**
     * Whatever the count: {@value #WARMUP} messages with the asynchronous window, and for {@code jspubsync}
     * {@value #SYNC_WARMUP} synchronous ones after them. A tenth of 5 000 synchronous publishes left a JVM server's
     * JIT compiler busy through the timed run (C2 took most of the server's CPU then), and a server warmed this
     * way answers a synchronous publish as a long-running one does.
     */
    @Override
    public long warmupCount(long count) {
        return synchronous() ? WARMUP + SYNC_WARMUP : WARMUP;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        String stream = ctx.warmup() ? "BENCH_WARMUP" : "BENCH";
        String subject = ctx.warmup() ? "bench.jswarmup.pub" : "bench.js.pub";
        NatsWireClient connection = ctx.connect("js-publisher", 256 * 1024);
        connection.subscribe(INBOX + "*", null, 1);
        connection.flush();
        PubAckCheck check = new PubAckCheck(stream, 1);
        AckReader reader = new AckReader(check);
        connection.setReadTimeout(ACK_TIMEOUT);
        createStream(connection, reader, stream, subject.substring(0, subject.lastIndexOf('.')) + ".>", replicas);
        long publishDeadline = ctx.publishDeadlineNanos();
        if (replicas > 1) {
            // The create of a replicated stream may wait for the cluster's JetStream: setup, not timed.
            ctx.note(createNote(stream, reader));
            ctx.timedPartStarts();
            publishDeadline = Math.max(publishDeadline, System.nanoTime() + ctx.limits().publish().toNanos());
        }

        int total = (int) Math.min(count, Integer.MAX_VALUE - 8);
        int asyncUntil = ctx.warmup() ? WARMUP : 0; // messages below this go out with the asynchronous window
        long[] latencies = synchronous() && !ctx.warmup() ? new long[total] : null;
        Frames frames = new Frames(subject);
        List<String> problems = new ArrayList<>();
        int disconnects = 0;
        int published = 0;
        long sentAt = 0;
        long started = System.nanoTime();
        long lastAck = started;
        try {
            while (true) {
                boolean mayPublish = published < total && System.nanoTime() < publishDeadline;
                if (!mayPublish && reader.acked >= published) {
                    break;
                }
                if (mayPublish && published - reader.acked < windowAt(published, asyncUntil)) {
                    int length = 0;
                    while (published < total && published - reader.acked < windowAt(published, asyncUntil)
                            && length + frames.maxFrame <= frames.batch.length) {
                        length = frames.encode(published++, length);
                    }
                    sentAt = System.nanoTime();
                    connection.send(frames.batch, length);
                    continue;
                }
                long before = reader.acked;
                if (connection.read(reader) < 0) {
                    disconnects++;
                    problems.add("the server closed the publisher's connection after " + reader.acked + " acks");
                    break;
                }
                if (reader.acked > before) {
                    lastAck = System.nanoTime();
                    if (latencies != null) {
                        latencies[(int) reader.acked - 1] = lastAck - sentAt;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            problems.add("no PubAck within " + ACK_TIMEOUT.toSeconds() + " s; " + (published - reader.acked)
                    + " of " + published + " published unacknowledged");
        } catch (IOException e) {
            problems.add("after " + reader.acked + " acks: " + e);
        }
        problems.addAll(check.problems());
        List<String> notes = new ArrayList<>();
        if (published < total) {
            notes.add("publish time limit reached after " + published + " of " + total + " messages");
        }
        long elapsed = Math.max(1, lastAck - started);
        double rate = reader.acked * 1e9 / elapsed;
        Percentiles p = latencies == null ? null : new Percentiles(latencies, (int) reader.acked);
        return new Measurement(published, "msg", p == null
                ? Payloads.values("msgs_per_sec", rate)
                : Payloads.values("msgs_per_sec", rate, "p50_us", p.at(0.50) / 1e3, "p99_us", p.at(0.99) / 1e3),
                published, reader.acked, disconnects, problems, notes);
    }

    /**
     * What {@link #fill} did.
     *
     * @param published    messages sent
     * @param acked        PubAcks received (every one checked)
     * @param elapsedNanos from the first publish to the last ack
     * @param problems     PubAck faults and connection failures; empty when the stream holds exactly
     *                     {@code acked} messages, sequences 1 to {@code acked}
     */
    record Fill(long published, long acked, long elapsedNanos, List<String> problems) {
    }

    /**
     * Creates the file stream {@code stream} on {@code subject}'s prefix ({@code replay.msg} gives
     * {@code replay.>}) and publishes {@code count} 128-byte messages into it on {@code connection}, as
     * {@code jspubasync} does: at most 4 000 PubAcks outstanding, each checked by a {@link PubAckCheck}. Publishing
     * stops early at {@code deadlineNanos}; an ack missing for 10 s ends the fill. {@code connection} must be
     * fresh: it subscribes to {@code _INBOX.bjs.*}.
     *
     * @throws IOException when the stream cannot be created
     */
    static Fill fill(NatsWireClient connection, String stream, String subject, long count, long deadlineNanos)
            throws IOException {
        connection.subscribe(INBOX + "*", null, 1);
        connection.flush();
        PubAckCheck check = new PubAckCheck(stream, 1);
        AckReader reader = new AckReader(check);
        connection.setReadTimeout(ACK_TIMEOUT);
        createStream(connection, reader, stream, subject.substring(0, subject.lastIndexOf('.')) + ".>");
        int total = (int) Math.min(count, Integer.MAX_VALUE - 8);
        Frames frames = new Frames(subject);
        List<String> problems = new ArrayList<>();
        int published = 0;
        long started = System.nanoTime();
        long lastAck = started;
        try {
            while (true) {
                boolean mayPublish = published < total && System.nanoTime() < deadlineNanos;
                if (!mayPublish && reader.acked >= published) {
                    break;
                }
                if (mayPublish && published - reader.acked < ASYNC_WINDOW) {
                    int length = 0;
                    while (published < total && published - reader.acked < ASYNC_WINDOW
                            && length + frames.maxFrame <= frames.batch.length) {
                        length = frames.encode(published++, length);
                    }
                    connection.send(frames.batch, length);
                    continue;
                }
                long before = reader.acked;
                if (connection.read(reader) < 0) {
                    problems.add("the server closed the publisher's connection after " + reader.acked + " acks");
                    break;
                }
                if (reader.acked > before) {
                    lastAck = System.nanoTime();
                }
            }
        } catch (SocketTimeoutException e) {
            problems.add("no PubAck within " + ACK_TIMEOUT.toSeconds() + " s; " + (published - reader.acked)
                    + " of " + published + " published unacknowledged");
        } catch (IOException e) {
            problems.add("after " + reader.acked + " acks: " + e);
        } finally {
            connection.setReadTimeout(Duration.ZERO);
        }
        problems.addAll(check.problems());
        return new Fill(published, reader.acked, Math.max(1, lastAck - started), List.copyOf(problems));
    }

    private int windowAt(int message, int asyncUntil) {
        return message < asyncUntil ? ASYNC_WINDOW : window;
    }

    /** Sends the StreamConfig to {@code $JS.API.STREAM.CREATE.<stream>} and fails unless the answer is a success. */
    static void createStream(NatsWireClient connection, AckReader reader, String stream, String subjects)
            throws IOException {
        createStream(connection, reader, stream, subjects, 1);
    }

    /**
     * Creates the file stream {@code stream} on {@code subjects} with {@code replicas} replicas and returns the
     * server's answer, or fails. One replica: the body is {@code {"name":..,"subjects":[..],"storage":"file"}}, sent
     * once; the answer must come within 10 s, carry the stream's {@code config} and no {@code error}.
     *
     * <p>More: {@code "num_replicas":N} is added, and the request is sent again (250 ms after an error answer, or
     * after 10 s without one) until an answer is a success, for at most {@value #CREATE_DEADLINE_SECONDS} s; then the
     * run fails with the last answer. A late answer to an earlier attempt counts as the answer to the current one:
     * the attempts all ask for the same stream. Leaves the read timeout at 10 s.
     */
    static String createStream(NatsWireClient connection, AckReader reader, String stream, String subjects,
                               int replicas) throws IOException {
        return createStream(connection, reader, stream, subjects, replicas,
                Duration.ofSeconds(CREATE_DEADLINE_SECONDS));
    }

    /** {@link #createStream(NatsWireClient, AckReader, String, String, int)}, retrying for {@code retryFor}. */
    static String createStream(NatsWireClient connection, AckReader reader, String stream, String subjects,
                               int replicas, Duration retryFor) throws IOException {
        byte[] frame = createFrame(stream, subjects, replicas);
        if (replicas <= 1) {
            reader.createResponse = null;
            connection.send(frame);
            String answer;
            try {
                answer = awaitCreateAnswer(connection, reader);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer to $JS.API.STREAM.CREATE." + stream + " within "
                        + ACK_TIMEOUT.toSeconds() + " s: is JetStream enabled (-js)?", e);
            }
            if (!createSucceeded(answer)) {
                throw new IOException("stream create failed: " + answer);
            }
            return answer;
        }
        long start = System.nanoTime();
        long deadline = start + retryFor.toNanos();
        String last = null;
        int attempts = 0;
        try {
            while (true) {
                attempts++;
                reader.createResponse = null;
                connection.send(frame);
                long waitMillis = Math.max(100, TimeUnit.NANOSECONDS.toMillis(
                        Math.min(CREATE_ATTEMPT_WAIT.toNanos(), deadline - System.nanoTime())));
                connection.setReadTimeout(Duration.ofMillis(waitMillis));
                String answer;
                try {
                    answer = awaitCreateAnswer(connection, reader);
                } catch (SocketTimeoutException e) {
                    answer = null;
                }
                if (answer != null && createSucceeded(answer)) {
                    reader.createAttempts = attempts;
                    reader.createNanos = System.nanoTime() - start;
                    return answer;
                }
                last = answer == null ? "(none within " + waitMillis + " ms)" : answer;
                reader.failedCreates.add(String.format(Locale.ROOT, "attempt %d at %.1f s: %s", attempts,
                        (System.nanoTime() - start) / 1e9, last.substring(0, Math.min(last.length(), 160))));
                if (System.nanoTime() + CREATE_RETRY_PAUSE.toNanos() >= deadline) {
                    throw new IOException(String.format(Locale.ROOT, "stream create of %s with %d replicas failed:"
                            + " %d attempts in %.1f s; last answer: %s", stream, replicas, attempts,
                            (System.nanoTime() - start) / 1e9, last));
                }
                LockSupport.parkNanos(CREATE_RETRY_PAUSE.toNanos());
            }
        } finally {
            connection.setReadTimeout(ACK_TIMEOUT);
        }
    }

    /** {@code PUB $JS.API.STREAM.CREATE.<stream> _INBOX.bjs.create <n>} with the stream's configuration. */
    static byte[] createFrame(String stream, String subjects, int replicas) {
        byte[] body = ("{\"name\":\"" + stream + "\",\"subjects\":[\"" + subjects + "\"],\"storage\":\"file\""
                + (replicas > 1 ? ",\"num_replicas\":" + replicas : "") + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] head = ("PUB $JS.API.STREAM.CREATE." + stream + " " + INBOX + CREATE_TOKEN + " " + body.length
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = Arrays.copyOf(head, head.length + body.length + 2);
        System.arraycopy(body, 0, frame, head.length, body.length);
        frame[frame.length - 2] = '\r';
        frame[frame.length - 1] = '\n';
        return frame;
    }

    /** Reads until the reader has a STREAM.CREATE answer; a read timeout propagates. */
    private static String awaitCreateAnswer(NatsWireClient connection, AckReader reader) throws IOException {
        while (reader.createResponse == null) {
            if (connection.read(reader) < 0) {
                throw new IOException("the server closed the connection before answering STREAM.CREATE");
            }
        }
        return reader.createResponse;
    }

    /** A STREAM.CREATE answer that carries the stream's {@code config} and no {@code error}. */
    static boolean createSucceeded(String answer) {
        return !answer.contains("\"error\"") && answer.contains("\"config\"");
    }

    /** The stream's leader named in a STREAM.CREATE answer ({@code "cluster":{.., "leader":"n2"}}), or null. */
    static String leaderOf(String answer) {
        Matcher m = LEADER.matcher(answer);
        return m.find() && !m.group(1).isEmpty() ? m.group(1) : null;
    }

    private String createNote(String stream, AckReader reader) {
        String leader = leaderOf(reader.createResponse);
        return String.format(Locale.ROOT, "stream %s with %d replicas created after %d attempt%s, %.1f s; its leader"
                        + " %s, the publisher on n1", stream, replicas, reader.createAttempts,
                reader.createAttempts == 1 ? "" : "s", reader.createNanos / 1e9,
                leader == null ? "is not named in the answer" : "is " + leader)
                + (reader.failedCreates.isEmpty() ? "" : "; before: " + String.join("; ", reader.failedCreates));
    }

    /** Encodes {@code PUB <subject> _INBOX.bjs.<n> 128\r\n<payload>\r\n} frames into one batch, in place. */
    static final class Frames {
        final byte[] head;
        final byte[] tail = Payloads.pubTail(Payloads.filled(PAYLOAD_SIZE));
        final int maxFrame;
        final byte[] batch;

        Frames(String subject) {
            head = ("PUB " + subject + " " + INBOX).getBytes(StandardCharsets.US_ASCII);
            maxFrame = head.length + 10 + tail.length;
            batch = new byte[Math.max(BATCH_BYTES, maxFrame)];
        }

        /** Appends message {@code n}'s frame at {@code at}; returns the end. */
        int encode(int n, int at) {
            System.arraycopy(head, 0, batch, at, head.length);
            int i = at + head.length;
            i += Digits.write(n, batch, i);
            System.arraycopy(tail, 0, batch, i, tail.length);
            return i + tail.length;
        }
    }

    /**
     * Collects each reply's payload on the publisher's connection: the STREAM.CREATE answer, and the PubAcks, which
     * it hands to the check with the message number of the inbox they came on.
     */
    static final class AckReader implements FrameScanner.PayloadHandler {
        private static final int PREFIX = INBOX.length();
        private final PubAckCheck check;
        private byte[] payload = new byte[1024];
        private int length;
        private long token;
        private boolean create;
        long acked;
        String createResponse;
        int createAttempts = 1;
        long createNanos;
        /** One line per create attempt of a replicated stream that got no answer or an error. */
        final List<String> failedCreates = new ArrayList<>();

        AckReader(PubAckCheck check) {
            this.check = check;
        }

        @Override
        public void onMsg(byte[] b, int subjectStart, int subjectEnd, int replyStart, int replyEnd, int size) {
            length = 0;
            create = subjectEnd - subjectStart == PREFIX + CREATE_TOKEN.length()
                    && b[subjectStart + PREFIX] == CREATE_TOKEN.charAt(0);
            long n = 0;
            int digits = 0;
            for (int i = subjectStart + PREFIX; i < subjectEnd; i++, digits++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9 || digits == 18) {
                    digits = 0;
                    break;
                }
                n = n * 10 + d;
            }
            token = digits == 0 ? -1 : n;
        }

        @Override
        public void onPayload(byte[] b, int from, int to) {
            int n = to - from;
            if (length + n > payload.length) {
                payload = Arrays.copyOf(payload, Math.max(payload.length * 2, length + n));
            }
            System.arraycopy(b, from, payload, length, n);
            length += n;
        }

        @Override
        public void onPayloadEnd() {
            if (create) {
                createResponse = new String(payload, 0, length, StandardCharsets.UTF_8);
            } else {
                check.check(token, payload, length);
                acked++;
            }
        }
    }
}
