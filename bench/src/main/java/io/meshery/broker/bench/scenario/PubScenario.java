package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.NatsWireClient;
import io.meshery.broker.bench.wire.PubBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pub}: one publisher of 16-byte messages and no subscriber. Measures how fast the server reads, parses and
 * routes (to nobody) what one connection sends. The run ends when the server answers the publisher's final
 * {@code PING}, so every message counted was processed.
 */
public final class PubScenario implements Scenario {

    private static final String SUBJECT = "bench.pub";

    @Override
    public String name() {
        return "pub";
    }

    @Override
    public String summary() {
        return "1 publisher, no subscriber, 16 B payloads: msg/s the server takes in";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 30_000_000;
    }

    @Override
    public long smokeCount() {
        return 50_000;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        NatsWireClient connection = ctx.connect("publisher", 4096);
        PubBatch batch = PubBatch.encode(SUBJECT, List.of(Payloads.filled(16)), Payloads.BATCH_BYTES);
        Publisher.Result result = Publisher.publish(connection, batch, count, ctx.publishDeadlineNanos(),
                FlowControl.none());
        long elapsed = Math.max(1, result.flushedNanos() - result.firstNanos());
        List<String> notes = new ArrayList<>();
        if (result.published() < count) {
            notes.add("publish time limit reached after " + result.published() + " of " + count + " messages");
        }
        return new Measurement(result.published(), "msg",
                Payloads.values("msgs_per_sec", result.published() * 1e9 / elapsed),
                result.published(), result.published(), 0, List.of(), notes);
    }
}
