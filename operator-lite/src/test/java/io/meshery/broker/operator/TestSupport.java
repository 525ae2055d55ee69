package io.meshery.broker.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Shared test helpers: the repository's files, Broker fixtures and waiting with a deadline. */
public final class TestSupport {
    public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    public static final String CRD_FILE = "k8s/crds/brokers.meshery.io-v1.yml";

    private TestSupport() {}

    /** The repository root: set by surefire, else found from the working directory. */
    public static Path repoRoot() {
        String prop = System.getProperty("meshery.repo.root");
        if (prop != null) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("k8s"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root with k8s/ not found");
        }
        return p;
    }

    public static String read(String relative) {
        try {
            return Files.readString(repoRoot().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Broker as the API server would hand it over: namespace, uid and generation set. */
    public static Broker broker(String namespace, String name, BrokerSpec spec) {
        Broker b = new Broker();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
                .withUid("uid-" + namespace + "-" + name).withGeneration(1L).build());
        b.setSpec(spec);
        return b;
    }

    /** Parses YAML into a Broker. */
    public static Broker brokerYaml(String yaml) {
        return SERIALIZATION.unmarshal(yaml, Broker.class);
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
