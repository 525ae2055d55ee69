package io.meshery.broker.testkit;

import io.meshery.broker.server.BrokerNode;
import io.meshery.broker.server.ServerSettings;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A broker node on 127.0.0.1 and a free port, started for one test class or one test. */
public final class TestBroker implements AutoCloseable {

    private final BrokerNode node;

    private TestBroker(BrokerNode node) {
        this.node = node;
    }

    public static TestBroker start() {
        return start(UnaryOperator.identity());
    }

    /** Starts with nats-server's defaults changed by {@code tweak}. */
    public static TestBroker start(UnaryOperator<ServerSettings> tweak) {
        return new TestBroker(BrokerNode.start(tweak.apply(ServerSettings.defaults("127.0.0.1", 0))));
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
