package io.meshery.broker.bench.scenario;

import java.time.Duration;
import java.util.List;

/**
 * One benchmark scenario. Implementations are stateless: every {@link #run} opens its own connections through the
 * {@link ScenarioContext} and leaves closing them to the context.
 */
public interface Scenario {

    /** Short name used on the command line and in reports, e.g. {@code pubsub}. */
    String name();

    /** One line: the load and what is measured. */
    String summary();

    /** Metrics reported, the headline metric first. */
    List<Metric> metrics();

    /** Count (messages, requests or connections) of a full run. */
    long defaultCount();

    /** Count of a {@code --smoke} run. */
    long smokeCount();

    /** Count of the untimed warm-up run before a timed run; a tenth of the count unless overridden. */
    default long warmupCount(long count) {
        return count / 10;
    }

    /**
     * True for a JetStream scenario: the server is started with its JetStream command (a fresh store directory per
     * run, see {@link io.meshery.broker.bench.server.ServerSpec#jsCommand()}).
     */
    default boolean jetStream() {
        return false;
    }

    /**
     * True for a TLS scenario: the server is started from a configuration file with a {@code tls {}} block and a
     * fresh certificate (see {@link ScenarioContext#tlsCa()}), through the cluster command's {@code -c {config}}.
     */
    default boolean tls() {
        return false;
    }

    /**
     * Nodes of the cluster the scenario runs against, or 0 for a lone server. A cluster scenario starts that many
     * nodes of each server side by side (see {@link io.meshery.broker.bench.server.ServerCluster}) and connects its
     * clients to chosen nodes ({@link ScenarioContext#connect(int, String, int)}).
     */
    default int clusterSize() {
        return 0;
    }

    /**
     * Time a run of {@code count} may spend on untimed setup before its timed part (filling a JetStream stream that
     * it then reads back), beyond the usual publish and drain limits: the watchdog that closes every connection
     * fires that much later. Zero unless overridden.
     */
    default Duration setupAllowance(long count) {
        return Duration.ZERO;
    }

    /** Runs the scenario once against the server in {@code ctx}. */
    Measurement run(ScenarioContext ctx, long count) throws Exception;
}
