package io.meshery.broker.operator;

import static io.meshery.broker.operator.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.controller.LeaderElection;
import io.meshery.broker.operator.model.OperatorSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas against one (mock) API server: one leads and reconciles, the other stands by; when the
 * leader stops it releases the Lease and the standby takes over. The CRD is installed from the jar.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorTest {
    static KubernetesClient client;
    static final Duration WAIT = Duration.ofSeconds(30);
    static final LeaderElection.Timings FAST = new LeaderElection.Timings(Duration.ofSeconds(2),
            Duration.ofMillis(1500), Duration.ofMillis(200));

    static OperatorConfig config(String identity) {
        return new OperatorConfig(null, "meshery", identity, true, true, 0, Duration.ofHours(1), 2,
                OperatorSettings.defaults());
    }

    static Broker newBroker(String ns, String name) {
        Broker b = new Broker();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        b.setSpec(BrokerSpec.empty());
        return b;
    }

    @Test
    void onlyTheLeaderActsAndTheStandbyTakesOver() throws Exception {
        Operator a = new Operator(client, config("operator-a"), FAST);
        Operator b = new Operator(client, config("operator-b"), FAST);
        CompletableFuture<Integer> runA = CompletableFuture.supplyAsync(a::run);
        await("CRD installed", WAIT, () -> client.apiextensions().v1().customResourceDefinitions()
                .withName(Broker.CRD_NAME).get() != null);
        CompletableFuture<Integer> runB = CompletableFuture.supplyAsync(b::run);

        AtomicBoolean both = new AtomicBoolean();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (!runA.isDone() || !runB.isDone()) {
                if (a.controller() != null && b.controller() != null) {
                    both.set(true);
                }
                // a sampling interval for the monitor, not a wait for a condition
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        });

        await("a leader", WAIT, () -> a.controller() != null || b.controller() != null);
        Operator leader = a.controller() != null ? a : b;
        Operator standby = leader == a ? b : a;
        String leaderId = leader == a ? "operator-a" : "operator-b";
        Lease lease = client.leases().inNamespace("meshery").withName(OperatorConfig.LEASE_NAME).get();
        assertEquals(leaderId, lease.getSpec().getHolderIdentity());
        assertNull(standby.controller());
        assertTrue(standby.ready(), "a standby is ready");

        client.resource(newBroker("ops-one", "meshery-broker")).create();
        await("deployed by the leader", WAIT, () -> client.apps().statefulSets().inNamespace("ops-one")
                .withName("meshery-broker").get() != null);

        leader.shutdown();
        assertEquals(Operator.EXIT_OK, (leader == a ? runA : runB).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        await("standby takes over", WAIT, () -> standby.controller() != null);
        client.resource(newBroker("ops-two", "meshery-broker")).create();
        await("deployed by the new leader", WAIT, () -> client.apps().statefulSets().inNamespace("ops-two")
                .withName("meshery-broker").get() != null);

        standby.shutdown();
        assertEquals(Operator.EXIT_OK, (standby == a ? runA : runB).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        watcher.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(!both.get(), "two replicas never acted at once");
    }

    @Test
    void missingCrdStopsStartupWithAClearExitCode() {
        KubernetesClient empty = client;
        empty.apiextensions().v1().customResourceDefinitions().withName(Broker.CRD_NAME).delete();
        OperatorConfig noInstall = new OperatorConfig(null, "meshery", "x", false, false, 0, Duration.ofHours(1), 1,
                OperatorSettings.defaults());
        assertEquals(Operator.EXIT_STARTUP_FAILED, new Operator(empty, noInstall, FAST).run());
    }

    @Test
    void nodePortHostDefaultsToTheApiServerOnlyOutOfCluster() throws Exception {
        assertEquals("192.168.49.2",
                Operator.defaultNodePortHost(java.net.URI.create("https://192.168.49.2:8443/").toURL(), null));
        assertEquals("192.168.49.2",
                Operator.defaultNodePortHost(java.net.URI.create("https://192.168.49.2:8443/").toURL(), "10.96.0.1"));
        assertNull(Operator.defaultNodePortHost(java.net.URI.create("https://10.96.0.1:443/").toURL(), "10.96.0.1"),
                "in cluster the API server's address is a cluster IP");
        assertNull(Operator.defaultNodePortHost(java.net.URI.create("https://[fd00::1]:443/").toURL(), "fd00::1"));
        assertNull(Operator.defaultNodePortHost(java.net.URI.create("https://kubernetes.default.svc/").toURL(), null));
        assertNull(Operator.defaultNodePortHost(null, null));
    }

    @Test
    void configFromFlagsAndEnvironment() {
        OperatorConfig c = OperatorConfig.from(new String[] {"--namespace=meshery", "--no-leader-election"},
                Map.of("POD_NAME", "op-0", "POD_NAMESPACE", "ops", "CLUSTER_DOMAIN", "example.org", "WORKERS", "3"),
                "default");
        assertEquals("meshery", c.watchNamespace());
        assertEquals("ops", c.leaseNamespace());
        assertEquals("op-0", c.identity());
        assertTrue(!c.leaderElection());
        assertEquals("example.org", c.settings().clusterDomain());
        assertEquals(3, c.workers());
        OperatorConfig d = OperatorConfig.from(new String[0], Map.of(), "current");
        assertNull(d.watchNamespace());
        assertEquals("current", d.leaseNamespace());
        assertTrue(d.leaderElection());
        assertNotNull(d.identity());
        assertEquals(List.of(), List.of());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OperatorConfig.from(new String[] {"--bogus"}, Map.of(), null));
    }
}
