package io.meshery.broker.testkit;

import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.node.BrokerNode;
import io.meshery.broker.server.ServerSettings;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A broker node on 127.0.0.1 and a free port, without monitoring, started for one test class or one test. Its
 * settings go the launcher's way: options built with {@link BrokerOptions.Builder}, then
 * {@link ServerSettings#from}.
 */
public final class TestBroker implements AutoCloseable {

    private final BrokerNode node;

    private TestBroker(BrokerNode node) {
        this.node = node;
    }

    public static TestBroker start() {
        return start(UnaryOperator.identity());
    }

    /** Starts with the defaults changed by {@code tweak}, e.g. {@code o -> o.maxConnections(2)}. */
    public static TestBroker start(UnaryOperator<BrokerOptions.Builder> tweak) {
        return new TestBroker(BrokerNode.start(settings(tweak)));
    }

    /** Starts with JetStream storing under {@code storeDir}, forcing to disk before each PubAck. */
    public static TestBroker startWithJetStream(java.nio.file.Path storeDir) {
        return startWithJetStream(storeDir, UnaryOperator.identity());
    }

    /** The same, with the node's defaults changed by {@code tweak}. */
    public static TestBroker startWithJetStream(java.nio.file.Path storeDir, UnaryOperator<BrokerOptions.Builder> tweak) {
        return new TestBroker(BrokerNode.start(settings(tweak),
            new io.meshery.broker.jetstream.JetStreamConfig(storeDir, -1, -1, null)));
    }

    /** The settings {@link #start(UnaryOperator)} starts with. */
    public static ServerSettings settings(UnaryOperator<BrokerOptions.Builder> tweak) {
        BrokerOptions.Builder local = BrokerOptions.builder()
            .host("127.0.0.1")
            .port(BrokerOptions.RANDOM_PORT)
            .httpPort(0);
        return ServerSettings.from(tweak.apply(local).build());
    }

    public BrokerNode node() {
        return node;
    }

    public int port() {
        return node.port();
    }

    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        node.shutdown(Duration.ofSeconds(10));
    }
}
