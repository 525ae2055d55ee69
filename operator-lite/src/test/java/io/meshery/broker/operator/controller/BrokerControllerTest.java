package io.meshery.broker.operator.controller;

import static io.meshery.broker.operator.TestSupport.await;
import static io.meshery.broker.operator.controller.MockCluster.broker;
import static io.meshery.broker.operator.controller.MockCluster.createBroker;
import static io.meshery.broker.operator.controller.MockCluster.setSpec;
import static io.meshery.broker.operator.controller.MockCluster.setStatefulSetStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.model.OperatorSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The controller end to end on the mock: informer events, not polling, drive reconciles. */
@EnableKubernetesMockClient(crud = true)
class BrokerControllerTest {
    static KubernetesClient client;
    static BrokerController controller;
    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void start() {
        MockCluster.installCrd(client);
        // a resync far away: everything below happens because of watch events
        controller = new BrokerController(client, new BrokerReconciler(client, OperatorSettings.defaults(),
                Clock.systemUTC()), null, Duration.ofHours(1), 2);
        controller.start(WAIT);
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    static StatefulSet sts(String ns, String name) {
        return client.apps().statefulSets().inNamespace(ns).withName(name).get();
    }

    @Test
    void createdBrokersAreDeployedInEveryNamespace() {
        for (String ns : List.of("c-one", "c-two", "c-three")) {
            createBroker(client, ns, "meshery-broker", "size: 1\n");
        }
        for (String ns : List.of("c-one", "c-two", "c-three")) {
            await("StatefulSet in " + ns, WAIT, () -> sts(ns, "meshery-broker") != null);
            await("Service in " + ns, WAIT, () -> client.services().inNamespace(ns).withName("meshery-broker").get() != null);
            await("status in " + ns, WAIT, () -> broker(client, ns, "meshery-broker").getStatus() != null);
        }
        assertTrue(controller.hasSynced());
    }

    @Test
    void anUnreadableBrokerDoesNotStopTheOthers() {
        MockCluster.createUnreadableBroker(client, "c-bad", "broken");
        createBroker(client, "c-bad", "fine", "size: 1\n");
        await("the readable Broker deployed", WAIT, () -> sts("c-bad", "fine") != null);
        assertEquals(null, sts("c-bad", "broken"));
    }

    @Test
    void specChangesAndDriftAreAppliedFromEvents() {
        String ns = "c-drift";
        createBroker(client, ns, "b", "size: 1\n");
        await("StatefulSet", WAIT, () -> sts(ns, "b") != null);

        setSpec(client, ns, "b", "size: 3\n");
        await("scaled to 3", WAIT, () -> sts(ns, "b").getSpec().getReplicas() == 3);

        client.services().inNamespace(ns).withName("b").delete();
        await("deleted Service restored", WAIT, () -> client.services().inNamespace(ns).withName("b").get() != null);

        MockCluster.retryOnConflict(() -> client.configMaps().inNamespace(ns).withName("b-config").edit(c -> {
            c.getData().put("nats.conf", "port: 1\n");
            return c;
        }));
        await("edited ConfigMap restored", WAIT, () -> client.configMaps().inNamespace(ns).withName("b-config").get()
                .getData().get("nats.conf").contains("port: 4222"));

        client.apps().statefulSets().inNamespace(ns).withName("b").delete();
        await("deleted StatefulSet restored", WAIT, () -> sts(ns, "b") != null);
    }

    @Test
    void readyReplicasMoveTheConditionThroughTheStatefulSetInformer() {
        String ns = "c-ready";
        createBroker(client, ns, "b", "size: 3\n");
        await("StatefulSet", WAIT, () -> sts(ns, "b") != null);
        setStatefulSetStatus(client, ns, "b", 3, 2);
        await("2 of 3", WAIT, () -> "2 of 3 replicas ready".equals(readyMessage(ns)));
        setStatefulSetStatus(client, ns, "b", 3, 3);
        await("BrokerDeployed", WAIT, () -> "Broker is running and accepting connections".equals(readyMessage(ns)));
    }

    @Test
    void deletingTheBrokerRemovesItsObjects() {
        String ns = "c-delete";
        createBroker(client, ns, "b", "size: 1\n");
        await("StatefulSet", WAIT, () -> sts(ns, "b") != null);
        client.resources(Broker.class).inNamespace(ns).withName("b").delete();
        await("objects removed", WAIT, () -> sts(ns, "b") == null
                && client.services().inNamespace(ns).withName("b").get() == null
                && client.configMaps().inNamespace(ns).withName("b-config").get() == null);
    }

    static String readyMessage(String ns) {
        Broker b = broker(client, ns, "b");
        if (b.getStatus() == null) {
            return null;
        }
        return b.getStatus().conditions().stream().filter(c -> Objects.equals(c.getType(), "Ready"))
                .map(c -> c.getMessage()).findFirst().orElse(null);
    }

    @Test
    void ownerKeyMapsOwnedObjectsToTheirBroker() {
        String ns = "c-owner";
        createBroker(client, ns, "b", "size: 1\n");
        await("StatefulSet", WAIT, () -> sts(ns, "b") != null);
        assertEquals(ns + "/b", BrokerController.ownerKey(sts(ns, "b")));
    }
}
