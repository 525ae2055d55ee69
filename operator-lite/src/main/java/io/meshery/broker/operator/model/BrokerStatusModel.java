package io.meshery.broker.operator.model;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.api.BrokerStatus;
import io.meshery.broker.operator.api.Endpoint;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Broker's status from what was observed, following the Kubernetes condition conventions: one condition
 * per type, {@code lastTransitionTime} moves only when {@code status} flips, every condition carries the
 * {@code observedGeneration} it describes.
 *
 * <p>Condition {@code Ready}:
 * <ul>
 *   <li>True, {@value #DEPLOYED}: every replica ready and the StatefulSet rolled out;
 *   <li>False, {@value #RECONCILING}: the StatefulSet is new, rolling out or scaling ("1 of 3 replicas ready");
 *   <li>False, {@value #HEALTH_CHECK_FAILED}: rolled out, but some pods fail their readiness probe
 *       ("2 of 3 replicas ready");
 *   <li>False, {@value #FAILED}: the API server refused a write or could not be reached;
 *   <li>False, {@link InvalidBrokerException#reason()}: the spec or a referenced Secret is unusable.
 * </ul>
 */
public final class BrokerStatusModel {
    public static final String READY = "Ready";
    public static final String DEPLOYED = "BrokerDeployed";
    public static final String RECONCILING = "Reconciling";
    public static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
    public static final String FAILED = "ReconciliationFailed";
    public static final String DEPLOYED_MESSAGE = "Broker is running and accepting connections";

    private BrokerStatusModel() {}

    /** Status after the objects were applied: readiness from the StatefulSet, endpoints from the Service. */
    public static BrokerStatus observed(Broker broker, StatefulSet sts, Service clientService,
            OperatorSettings settings, Instant now) {
        BrokerSpec spec = broker.getSpec() == null ? BrokerSpec.empty() : broker.getSpec();
        int desired = spec.size();
        StatefulSetStatus s = sts == null ? null : sts.getStatus();
        int ready = s == null || s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
        int replicas = s == null || s.getReplicas() == null ? 0 : s.getReplicas();
        String counts = ready + " of " + desired + " replicas ready";
        Condition condition;
        if (ready >= desired && rolledOut(sts, desired)) {
            condition = condition(broker, "True", DEPLOYED, DEPLOYED_MESSAGE, now);
        } else if (!rolledOut(sts, desired)) {
            condition = condition(broker, "False", RECONCILING, "Rolling out: " + counts, now);
        } else {
            condition = condition(broker, "False", HEALTH_CHECK_FAILED, counts, now);
        }
        Endpoint endpoint = Endpoints.derive(clientService, spec.service(), settings.nodePortHost(),
                settings.clusterDomain());
        return new BrokerStatus(broker.getMetadata().getGeneration(), merge(previous(broker), condition),
                replicas, ready, endpoint, Labels.selectorString(broker.getMetadata().getName()));
    }

    /**
     * Status when reconciliation stopped short: Ready=False with the reason, the rest of the previous status
     * (replicas, endpoints) kept as last observed.
     */
    public static BrokerStatus failed(Broker broker, String reason, String message, Instant now) {
        BrokerStatus prev = broker.getStatus();
        Condition condition = condition(broker, "False", reason, message, now);
        return new BrokerStatus(broker.getMetadata().getGeneration(), merge(previous(broker), condition),
                prev == null ? null : prev.replicas(), prev == null ? null : prev.readyReplicas(),
                prev == null ? null : prev.endpoint(), Labels.selectorString(broker.getMetadata().getName()));
    }

    /** The StatefulSet controller has seen the latest spec, and every pod runs the latest template. */
    static boolean rolledOut(StatefulSet sts, int desired) {
        if (sts == null || sts.getStatus() == null) {
            return false;
        }
        StatefulSetStatus s = sts.getStatus();
        Long generation = sts.getMetadata() == null ? null : sts.getMetadata().getGeneration();
        if (generation != null && s.getObservedGeneration() != null && s.getObservedGeneration() < generation) {
            return false;
        }
        if (s.getUpdateRevision() != null && !Objects.equals(s.getCurrentRevision(), s.getUpdateRevision())) {
            return false;
        }
        if (s.getUpdatedReplicas() != null && s.getUpdatedReplicas() < desired) {
            return false;
        }
        return s.getReplicas() != null && s.getReplicas() == desired;
    }

    private static List<Condition> previous(Broker broker) {
        return broker.getStatus() == null ? List.of() : broker.getStatus().conditions();
    }

    private static Condition condition(Broker broker, String status, String reason, String message, Instant now) {
        return new ConditionBuilder()
                .withType(READY)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(broker.getMetadata().getGeneration())
                .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
    }

    /** Replaces the condition of the same type, keeping its transition time when its status did not change. */
    static List<Condition> merge(List<Condition> previous, Condition next) {
        List<Condition> out = new ArrayList<>();
        boolean replaced = false;
        for (Condition c : previous) {
            if (Objects.equals(c.getType(), next.getType())) {
                if (Objects.equals(c.getStatus(), next.getStatus()) && c.getLastTransitionTime() != null) {
                    next = new ConditionBuilder(next).withLastTransitionTime(c.getLastTransitionTime()).build();
                }
                out.add(next);
                replaced = true;
            } else {
                out.add(c);
            }
        }
        if (!replaced) {
            out.add(next);
        }
        return out;
    }
}
