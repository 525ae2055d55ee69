package io.meshery.broker.bench.scenario;

import java.util.List;

/**
 * {@code idle}: memory per idle connection. Opens one probe connection (so that one-time costs such as loading the
 * connection code are in the baseline), reads the server's resident set size, opens the connections one after
 * another (each completes the handshake: INFO, CONNECT, PING, PONG), reads it again, and divides the growth by the
 * count. The connections stay open and silent until the run ends.
 *
 * <p>No warm-up run: connections opened and closed before the baseline would leave freed memory that the measured
 * connections then reuse without growing the RSS, which hides their cost on a garbage-collected server.
 */
public final class IdleConnectionsScenario implements Scenario {

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public String summary() {
        return "idle connections (handshake done, PONG received): server RSS growth per connection";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.lower("kib_per_conn", "KiB/conn"), Metric.higher("conns_per_sec", "conn/s"));
    }

    @Override
    public long defaultCount() {
        return 1000;
    }

    @Override
    public long smokeCount() {
        return 100;
    }

    @Override
    public long warmupCount(long count) {
        return 0;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        ctx.connect("idle-probe", 4096);
        long baseline = ctx.serverMetrics().rssKib();
        long started = System.nanoTime();
        for (long i = 0; i < count; i++) {
            ctx.connect("idle-" + i, 4096);
        }
        long elapsed = Math.max(1, System.nanoTime() - started);
        long after = ctx.serverMetrics().rssKib();
        double perConnection = (after - baseline) / (double) count;
        return new Measurement(count, "conn",
                Payloads.values("kib_per_conn", perConnection, "conns_per_sec", count * 1e9 / elapsed),
                count, count, 0, List.of(),
                List.of("server RSS " + baseline + " KiB before, " + after + " KiB after " + count + " connections"));
    }
}
