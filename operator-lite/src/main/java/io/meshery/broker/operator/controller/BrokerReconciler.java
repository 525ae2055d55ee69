package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.api.BrokerStatus;
import io.meshery.broker.operator.model.BrokerCluster;
import io.meshery.broker.operator.model.BrokerStatusModel;
import io.meshery.broker.operator.model.InvalidBrokerException;
import io.meshery.broker.operator.model.Labels;
import io.meshery.broker.operator.model.OperatorSettings;
import io.meshery.broker.operator.model.ResourceNames;
import io.meshery.broker.operator.model.SpecValidator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one Broker: read it and the Secrets it names, build the desired objects with the model,
 * bring each one to its desired state with the {@link ResourceApplier}, then write the status. It is the only
 * class that decides what to write to the API server; it keeps no state between calls, so a reconcile can run
 * for any event, any number of times. Logs exactly one line per call.
 */
public final class BrokerReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerReconciler.class);

    private final KubernetesClient client;
    private final ResourceApplier applier;
    private final OperatorSettings settings;
    private final Clock clock;

    public BrokerReconciler(KubernetesClient client, OperatorSettings settings, Clock clock) {
        this.client = client;
        this.applier = new ResourceApplier(client);
        this.settings = settings;
        this.clock = clock;
    }

    /** Reconciles the Broker {@code namespace/name}; never throws. */
    public ReconcileResult reconcile(String namespace, String name) {
        long start = System.nanoTime();
        String key = namespace + "/" + name;
        List<String> changes = new ArrayList<>();
        ReconcileResult result;
        try {
            result = reconcile(key, namespace, name, changes);
        } catch (ResourceApplier.RetryLaterException e) {
            result = ReconcileResult.of(key, ReconcileResult.Outcome.RETRY, BrokerStatusModel.RECONCILING, e.getMessage(),
                    changes);
        } catch (KubernetesClientException e) {
            if (interrupted(e)) {
                Thread.currentThread().interrupt();
                result = ReconcileResult.of(key, ReconcileResult.Outcome.RETRY, "Interrupted", "operator stopping", changes);
            } else if (e.getCode() == 409) {
                result = ReconcileResult.of(key, ReconcileResult.Outcome.RETRY, "Conflict", e.getMessage(), changes);
            } else if (e.getCode() == 404) {
                // the Broker went away while being reconciled; the next run cleans up
                result = ReconcileResult.of(key, ReconcileResult.Outcome.RETRY, "NotFound", apiError(e), changes);
            } else {
                result = failed(key, namespace, name, BrokerStatusModel.FAILED, apiError(e), changes);
            }
        } catch (ResourceApplier.NotOwnedException e) {
            result = failed(key, namespace, name, BrokerStatusModel.FAILED, e.getMessage(), changes);
        } catch (RuntimeException e) {
            LOG.warn("unexpected error reconciling {}", key, e);
            result = failed(key, namespace, name, BrokerStatusModel.FAILED, String.valueOf(e), changes);
        }
        result = result.took((System.nanoTime() - start) / 1_000_000);
        LOG.info("{}", result.logLine());
        return result;
    }

    private ReconcileResult reconcile(String key, String namespace, String name, List<String> changes) {
        Broker broker;
        try {
            broker = client.resources(Broker.class).inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            String unreadable = unreadable(e);
            if (unreadable == null) {
                throw e;
            }
            reportUnreadable(namespace, name, unreadable);
            return ReconcileResult.of(key, ReconcileResult.Outcome.INVALID, InvalidBrokerException.INVALID_SPEC,
                    unreadable, changes);
        }
        if (broker == null) {
            cleanup(namespace, name, changes);
            return ReconcileResult.of(key, ReconcileResult.Outcome.DELETED, "Deleted", "Broker is gone", changes);
        }
        if (broker.getMetadata().getDeletionTimestamp() != null) {
            return ReconcileResult.of(key, ReconcileResult.Outcome.DELETED, "Deleting",
                    "Broker is being deleted; the garbage collector removes its objects", changes);
        }
        if (broker.getSpec() == null) {
            broker.setSpec(BrokerSpec.empty());
        }
        BrokerCluster cluster;
        try {
            // an invalid spec is refused by fromCrd before it looks at the Secrets: fetch none for it
            BrokerSpec spec = broker.getSpec();
            boolean valid = SpecValidator.validate(broker).isEmpty();
            Secret auth = valid && spec.auth() != null ? secret(namespace, spec.auth().secretRef().name()) : null;
            Secret tls = valid && spec.tls().enabled() ? secret(namespace, spec.tls().secretName()) : null;
            cluster = BrokerCluster.fromCrd(broker, auth, tls, settings);
        } catch (InvalidBrokerException e) {
            writeStatus(broker, BrokerStatusModel.failed(broker, e.reason(), e.getMessage(), clock.instant()));
            ReconcileResult.Outcome outcome = InvalidBrokerException.INVALID_SPEC.equals(e.reason())
                    ? ReconcileResult.Outcome.INVALID : ReconcileResult.Outcome.FAILED;
            return ReconcileResult.of(key, outcome, e.reason(), e.getMessage(), changes);
        }
        apply(ConfigMap.class, namespace, name, ResourceNames.configMap(name), cluster.generateConfigMap(), changes);
        apply(Service.class, namespace, name, ResourceNames.headlessService(name), cluster.generateHeadlessService(),
                changes);
        apply(Service.class, namespace, name, ResourceNames.clientService(name), cluster.generateClientService(),
                changes);
        apply(StatefulSet.class, namespace, name, ResourceNames.statefulSet(name), cluster.generateStatefulSet(),
                changes);
        apply(NetworkPolicy.class, namespace, name, ResourceNames.networkPolicy(name), cluster.generateNetworkPolicy(),
                changes);
        apply(PodDisruptionBudget.class, namespace, name, ResourceNames.podDisruptionBudget(name),
                cluster.generatePodDisruptionBudget(), changes);
        String resizeProblem = growClaims(cluster, changes);

        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(ResourceNames.statefulSet(name))
                .get();
        Service service = client.services().inNamespace(namespace).withName(ResourceNames.clientService(name)).get();
        BrokerStatus status = BrokerStatusModel.observed(broker, sts, service, settings, clock.instant());
        writeStatus(broker, status);
        var ready = status.conditions().stream().filter(c -> BrokerStatusModel.READY.equals(c.getType())).findFirst()
                .orElseThrow();
        String message = ready.getMessage() + (resizeProblem == null ? "" : "; " + resizeProblem);
        return ReconcileResult.of(key, "True".equals(ready.getStatus())
                ? ReconcileResult.Outcome.READY : ReconcileResult.Outcome.PROGRESSING, ready.getReason(), message, changes);
    }

    /** Brings one object of the Broker {@code namespace/broker} to {@code desired} (null: none), noting a change. */
    private <T extends HasMetadata> void apply(Class<T> type, String namespace, String broker, String objectName,
            T desired, List<String> changes) {
        ResourceApplier.Change change = applier.apply(type, namespace, objectName, desired, broker);
        if (change != ResourceApplier.Change.UNCHANGED && change != ResourceApplier.Change.ABSENT) {
            changes.add(type.getSimpleName() + "/" + objectName + " " + change.name().toLowerCase());
        }
    }

    /** The Broker is gone: delete what it controlled (the garbage collector would too; this is immediate). */
    private void cleanup(String namespace, String name, List<String> changes) {
        record Owned(Class<? extends HasMetadata> type, String name) {}
        List<Owned> owned = List.of(
                new Owned(StatefulSet.class, ResourceNames.statefulSet(name)),
                new Owned(Service.class, ResourceNames.clientService(name)),
                new Owned(Service.class, ResourceNames.headlessService(name)),
                new Owned(ConfigMap.class, ResourceNames.configMap(name)),
                new Owned(NetworkPolicy.class, ResourceNames.networkPolicy(name)),
                new Owned(PodDisruptionBudget.class, ResourceNames.podDisruptionBudget(name)));
        for (Owned o : owned) {
            apply(o.type(), namespace, name, o.name(), null, changes);
        }
    }

    /**
     * Volume claim templates only shape new claims: when {@code storageSize} grows, ask for the new size on the
     * existing claims too (the StorageClass must allow expansion). Claims never shrink.
     */
    private String growClaims(BrokerCluster cluster, List<String> changes) {
        if (!cluster.spec().jetstream().enabled()) {
            return null;
        }
        Quantity wanted = new Quantity(cluster.spec().jetstream().storageSize());
        List<PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace(cluster.namespace())
                .withLabels(Labels.selector(cluster.name())).list().getItems();
        String prefix = ResourceNames.jetStreamClaimPrefix(cluster.name());
        List<String> problems = new ArrayList<>();
        for (PersistentVolumeClaim claim : claims) {
            String claimName = claim.getMetadata().getName();
            if (!claimName.startsWith(prefix)) {
                continue;
            }
            Quantity has = StatefulSetPolicy.storageRequest(claim);
            if (has != null && has.compareTo(wanted) >= 0) {
                continue;
            }
            try {
                client.persistentVolumeClaims().inNamespace(cluster.namespace()).withName(claimName)
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + wanted + "\"}}}}");
                changes.add("PersistentVolumeClaim/" + claimName + " resized");
            } catch (KubernetesClientException e) {
                problems.add("claim " + claimName + " not resized: " + apiError(e));
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    /** Writes the status through the status subresource when it changed; a conflict is left to the next run. */
    private void writeStatus(Broker broker, BrokerStatus status) {
        if (Objects.equals(broker.getStatus(), status)) {
            return;
        }
        broker.setStatus(status);
        client.resource(broker).updateStatus();
    }

    private ReconcileResult failed(String key, String namespace, String name, String reason, String message,
            List<String> changes) {
        try {
            Broker broker = client.resources(Broker.class).inNamespace(namespace).withName(name).get();
            if (broker != null) {
                writeStatus(broker, BrokerStatusModel.failed(broker, reason, message, clock.instant()));
            }
        } catch (KubernetesClientException e) {
            message = message + " (status not written: " + apiError(e) + ")";
        }
        return ReconcileResult.of(key, ReconcileResult.Outcome.FAILED, reason, message, changes);
    }

    /** Why the Broker could not be deserialized, or null when that is not the problem. */
    private static String unreadable(KubernetesClientException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof tools.jackson.core.JacksonException j) {
                String m = j.getOriginalMessage();
                return "spec cannot be read: " + (m == null ? j.getClass().getSimpleName() : m.lines().findFirst().orElse(m));
            }
        }
        return null;
    }

    /** Writes Ready=False/InvalidSpec on a Broker whose spec does not deserialize, through the untyped API. */
    private void reportUnreadable(String namespace, String name, String message) {
        GenericKubernetesResource raw = client.genericKubernetesResources(Broker.API_VERSION, Broker.KIND)
                .inNamespace(namespace).withName(name).get();
        if (raw == null) {
            return;
        }
        if (raw.getAdditionalProperties().get("status") instanceof Map<?, ?> prev
                && prev.get("conditions") instanceof List<?> conditions && !conditions.isEmpty()
                && conditions.get(0) instanceof Map<?, ?> c && message.equals(c.get("message"))) {
            return;
        }
        Broker shell = new Broker();
        shell.setMetadata(raw.getMetadata());
        BrokerStatus status = BrokerStatusModel.failed(shell, InvalidBrokerException.INVALID_SPEC, message,
                clock.instant());
        raw.setAdditionalProperty("status", client.getKubernetesSerialization().convertValue(status, Map.class));
        client.resource(raw).updateStatus();
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static String apiError(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getCode() + " " + e.getStatus().getMessage();
        }
        return e.getCode() == 0 ? String.valueOf(e.getMessage()) : e.getCode() + " " + e.getMessage();
    }
}
