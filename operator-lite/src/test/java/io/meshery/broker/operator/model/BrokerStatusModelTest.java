package io.meshery.broker.operator.model;

import static io.meshery.broker.operator.TestSupport.broker;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.api.BrokerStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Conditions move with readyReplicas; transition times move only with the condition's status. */
class BrokerStatusModelTest {
    static final Instant T0 = Instant.parse("2026-01-15T10:30:00Z");

    static StatefulSet sts(int replicas, int ready, String current, String update) {
        return new StatefulSetBuilder().withNewMetadata().withName("b").withGeneration(2L).endMetadata()
                .withNewStatus().withObservedGeneration(2L).withReplicas(replicas).withReadyReplicas(ready)
                .withUpdatedReplicas(replicas).withCurrentRevision(current).withUpdateRevision(update).endStatus().build();
    }

    static Condition ready(BrokerStatus s) {
        return s.conditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    @Test
    void conditionsFollowReadyReplicas() {
        Broker b = broker("meshery", "meshery-broker", BrokerSpec.empty().withSize(3));
        b.getMetadata().setGeneration(4L);

        BrokerStatus s = BrokerStatusModel.observed(b, null, null, OperatorSettings.defaults(), T0);
        Condition c = ready(s);
        assertEquals("False", c.getStatus());
        assertEquals("Reconciling", c.getReason());
        assertEquals("Rolling out: 0 of 3 replicas ready", c.getMessage());
        assertEquals(4L, c.getObservedGeneration());
        assertEquals(4L, s.observedGeneration());
        assertEquals("2026-01-15T10:30:00Z", c.getLastTransitionTime());
        b.setStatus(s);

        s = BrokerStatusModel.observed(b, sts(3, 2, "r1", "r1"), null, OperatorSettings.defaults(), T0.plusSeconds(10));
        c = ready(s);
        assertEquals("HealthCheckFailed", c.getReason());
        assertEquals("2 of 3 replicas ready", c.getMessage());
        assertEquals(2, s.readyReplicas());
        assertEquals("2026-01-15T10:30:00Z", c.getLastTransitionTime(), "still False: time kept");
        b.setStatus(s);

        s = BrokerStatusModel.observed(b, sts(3, 3, "r1", "r1"), null, OperatorSettings.defaults(), T0.plusSeconds(20));
        c = ready(s);
        assertEquals("True", c.getStatus());
        assertEquals("BrokerDeployed", c.getReason());
        assertEquals("Broker is running and accepting connections", c.getMessage());
        assertEquals("2026-01-15T10:30:20Z", c.getLastTransitionTime());
        assertEquals("app.kubernetes.io/name=meshery-broker,app.kubernetes.io/instance=meshery-broker", s.selector());
        b.setStatus(s);

        s = BrokerStatusModel.observed(b, sts(3, 3, "r1", "r2"), null, OperatorSettings.defaults(), T0.plusSeconds(30));
        assertEquals("Reconciling", ready(s).getReason(), "a rolling update is in progress");
        assertEquals("2026-01-15T10:30:30Z", ready(s).getLastTransitionTime());
    }

    @Test
    void failureKeepsTheLastObservedCountsAndEndpoints() {
        Broker b = broker("meshery", "meshery-broker", BrokerSpec.empty());
        b.setStatus(BrokerStatusModel.observed(b, sts(1, 1, "r", "r"), null, OperatorSettings.defaults(), T0));
        BrokerStatus s = BrokerStatusModel.failed(b, "ReconciliationFailed", "403 forbidden", T0.plusSeconds(5));
        assertEquals("ReconciliationFailed", ready(s).getReason());
        assertEquals("False", ready(s).getStatus());
        assertEquals(1, s.readyReplicas());
        assertEquals(1, s.conditions().size());
    }

    @Test
    void scaleDownIsReconcilingUntilTheExtraPodsAreGone() {
        Broker b = broker("meshery", "meshery-broker", BrokerSpec.empty().withSize(1));
        BrokerStatus s = BrokerStatusModel.observed(b, sts(3, 3, "r", "r"), null, OperatorSettings.defaults(), T0);
        assertEquals("Reconciling", ready(s).getReason());
    }
}
