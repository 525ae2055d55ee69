package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.FrameScanner;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reqrep}: sequential request-reply latency. A replier subscribes to {@code bench.req} and answers each
 * request on its reply subject. The requester subscribes once to {@code _INBOX.x.*}, then sends one request at a
 * time with reply subject {@code _INBOX.x.<n>} and waits for the reply before the next; each round trip is timed
 * from before the write to the read that completes the reply. Reports p50/p99/p99.9 in µs. A reply missing for
 * 10 s ends the run as lost.
 *
 * <p>{@code cluster-reqrep} ({@link #cluster()}): the same across a 3-node cluster, the requester connected to node
 * 1 and the replier to node 2: each request and each reply crosses a route. The first request is sent once node 1
 * knows the replier's subscription and node 2 the requester's inbox.
 */
public final class RequestReplyScenario implements Scenario {

    private static final String SUBJECT = "bench.req";
    private static final byte[] PAYLOAD = Payloads.filled(16);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private final boolean cluster;

    /** {@code reqrep}, on a lone server. */
    public RequestReplyScenario() {
        this(false);
    }

    private RequestReplyScenario(boolean cluster) {
        this.cluster = cluster;
    }

    /** {@code cluster-reqrep}: requester on node 1, replier on node 2 of a 3-node cluster. */
    public static RequestReplyScenario cluster() {
        return new RequestReplyScenario(true);
    }

    @Override
    public String name() {
        return cluster ? "cluster-reqrep" : "reqrep";
    }

    @Override
    public String summary() {
        return cluster
                ? "3-node cluster: sequential request-reply, requester on node 1, replier on node 2, 16 B: latency"
                + " p50/p99/p99.9"
                : "sequential request-reply through a replying client, 16 B: latency p50/p99/p99.9";
    }

    @Override
    public int clusterSize() {
        return cluster ? 3 : 0;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.lower("p50_us", "µs p50"), Metric.lower("p99_us", "µs p99"),
                Metric.lower("p999_us", "µs p99.9"), Metric.higher("reqs_per_sec", "req/s"));
    }

    @Override
    public long defaultCount() {
        return 20_000;
    }

    @Override
    public long smokeCount() {
        return 500;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        int replierNode = cluster ? 1 : 0;
        NatsWireClient replierConnection = ctx.connect(replierNode, "replier", 64 * 1024);
        replierConnection.subscribe(SUBJECT, null, 1);
        replierConnection.flush();
        Replier replier = new Replier(replierConnection, PAYLOAD);
        ctx.startThread("bench-replier", replier);

        NatsWireClient requester = ctx.connect(0, "requester", 64 * 1024);
        requester.subscribe("_INBOX.x.*", null, 1);
        requester.flush();
        if (cluster) {
            // Each node knows its own client's subscription and the other's, announced over the route.
            ctx.awaitInterest(0, 2);
            ctx.awaitInterest(replierNode, 2);
        }

        int total = (int) Math.min(count, Integer.MAX_VALUE - 8);
        long[] latencies = new long[total];
        ReplyCheck check = new ReplyCheck();
        Request request = new Request();
        List<String> problems = new ArrayList<>();
        int done = 0;
        boolean unanswered = false;
        requester.setReadTimeout(REPLY_TIMEOUT);
        long started = System.nanoTime();
        try {
            while (done < total && System.nanoTime() < ctx.publishDeadlineNanos()) {
                int length = request.encode(done);
                check.expect(done);
                long target = requester.messagesCompleted() + 1;
                long t0 = System.nanoTime();
                requester.send(request.bytes, length);
                while (requester.messagesCompleted() < target) {
                    if (requester.read(check) < 0) {
                        throw new IOException("server closed the requester's connection");
                    }
                }
                latencies[done++] = System.nanoTime() - t0;
            }
        } catch (SocketTimeoutException e) {
            unanswered = true;
            problems.add("request " + done + ": no reply within " + REPLY_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            unanswered = true;
            problems.add("request " + done + ": " + e);
        }
        long elapsed = Math.max(1, System.nanoTime() - started);
        if (check.mismatches > 0) {
            problems.add(check.mismatches + " replies arrived on the wrong inbox");
        }
        if (replier.failure() != null) {
            problems.add("replier: " + replier.failure());
        }
        List<String> notes = new ArrayList<>();
        if (done < total && !unanswered) {
            notes.add("publish time limit reached after " + done + " of " + total + " requests");
        }
        Percentiles p = new Percentiles(latencies, done);
        long issued = unanswered ? done + 1L : done;
        return new Measurement(done, "req", Payloads.values(
                "p50_us", p.at(0.50) / 1e3, "p99_us", p.at(0.99) / 1e3, "p999_us", p.at(0.999) / 1e3,
                "reqs_per_sec", done * 1e9 / elapsed),
                issued, done, replier.failure() == null ? 0 : 1, problems, notes);
    }

    /** Encodes {@code PUB bench.req _INBOX.x.<n> 16\r\n<payload>\r\n} in place, without allocating. */
    private static final class Request {
        private static final byte[] HEAD = ("PUB " + SUBJECT + " _INBOX.x.").getBytes(StandardCharsets.US_ASCII);
        private static final byte[] TAIL = Payloads.pubTail(PAYLOAD);
        final byte[] bytes = new byte[HEAD.length + 10 + TAIL.length];

        Request() {
            System.arraycopy(HEAD, 0, bytes, 0, HEAD.length);
        }

        int encode(int n) {
            int i = HEAD.length + Digits.write(n, bytes, HEAD.length);
            System.arraycopy(TAIL, 0, bytes, i, TAIL.length);
            return i + TAIL.length;
        }
    }

    /** Counts replies whose subject is not the inbox of the request in flight. */
    private static final class ReplyCheck implements FrameScanner.MsgHandler {
        private static final int PREFIX = "_INBOX.x.".length();
        private final byte[] token = new byte[10];
        private int tokenLength;
        int mismatches;

        void expect(int n) {
            tokenLength = Digits.write(n, token, 0);
        }

        @Override
        public void onMsg(byte[] b, int subjectStart, int subjectEnd, int replyStart, int replyEnd, int size) {
            boolean same = subjectEnd - subjectStart == PREFIX + tokenLength;
            for (int k = 0; same && k < tokenLength; k++) {
                same = b[subjectStart + PREFIX + k] == token[k];
            }
            if (!same) {
                mismatches++;
            }
        }
    }
}
