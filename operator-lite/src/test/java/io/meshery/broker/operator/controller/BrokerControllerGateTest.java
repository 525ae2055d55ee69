package io.meshery.broker.operator.controller;

import static io.meshery.broker.operator.TestSupport.await;
import static io.meshery.broker.operator.controller.MockCluster.createBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshery.broker.operator.model.OperatorSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A controller whose replica does not (or no longer) lead takes keys but writes nothing. */
@EnableKubernetesMockClient(crud = true)
class BrokerControllerGateTest {
    static KubernetesClient client;
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void workersActOnlyWhileTheGateSaysSo() {
        MockCluster.installCrd(client);
        AtomicBoolean leading = new AtomicBoolean(false);
        try (BrokerController c = new BrokerController(client, new BrokerReconciler(client, OperatorSettings.defaults(),
                Clock.systemUTC()), "gate", Duration.ofHours(1), 2, leading::get)) {
            c.start(WAIT);
            createBroker(client, "gate", "held", "size: 1\n");
            await("the key taken and dropped", WAIT, () -> c.droppedCount() >= 1);
            assertEquals(0, c.reconcileCount());
            assertNull(client.apps().statefulSets().inNamespace("gate").withName("held").get(), "nothing written");

            leading.set(true);
            createBroker(client, "gate", "led", "size: 1\n");
            await("reconciled once leading", WAIT,
                    () -> client.apps().statefulSets().inNamespace("gate").withName("led").get() != null);
        }
    }
}
