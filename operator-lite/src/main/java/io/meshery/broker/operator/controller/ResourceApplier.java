package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshery.broker.operator.api.Broker;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one create-or-update-or-delete used for every kind the operator owns.
 *
 * <ul>
 *   <li>desired null: delete the object if it exists and this Broker controls it;
 *   <li>missing: create it;
 *   <li>present but a field that cannot change in place differs ({@link KindPolicy#recreateReason}): delete
 *       it and create it again;
 *   <li>present and everything the operator sets is already there ({@link Subset}): leave it alone, so an
 *       idle reconcile writes nothing;
 *   <li>otherwise: update (PUT, locked on the resourceVersion read) with the desired object, keeping what the
 *       API server allocated ({@link KindPolicy#preserve}) and the labels and annotations others added.
 * </ul>
 *
 * <p>Why not server-side apply: fabric8's mock API server cannot do it, and this path is tested against the
 * mock; the update is guarded by resourceVersion, so a concurrent writer makes it fail with 409 and the Broker
 * is simply reconciled again. Annotations the operator sets are listed in {@value #MANAGED_ANNOTATIONS}, so
 * removing one from {@code spec.service.annotations} removes it from the Service, as apply would.
 *
 * <p>An object with the same name that this Broker does not control is never touched: the reconcile fails
 * with a message instead.
 */
final class ResourceApplier {
    /** Annotation listing the annotation keys the operator set on an object, comma-separated. */
    static final String MANAGED_ANNOTATIONS = "broker.meshery.io/managed-annotations";

    enum Change { UNCHANGED, CREATED, UPDATED, RECREATED, DELETED, ABSENT }

    /** The object exists and is not controlled by the Broker. */
    static final class NotOwnedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotOwnedException(String message) {
            super(message);
        }
    }

    /** The object is being deleted; try again shortly. */
    static final class RetryLaterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetryLaterException(String message) {
            super(message);
        }
    }

    private static final Map<Class<?>, KindPolicy<?>> POLICIES = Map.of(
            Service.class, new ServicePolicy(),
            StatefulSet.class, new StatefulSetPolicy());
    private static final KindPolicy<HasMetadata> NO_POLICY = KindPolicy.none();

    private final KubernetesClient client;
    private final KubernetesSerialization serialization;

    ResourceApplier(KubernetesClient client) {
        this.client = client;
        this.serialization = client.getKubernetesSerialization();
    }

    /**
     * Brings one object to its desired state.
     *
     * @param desired the object to have, or null for none
     * @param broker name of the Broker that controls the object
     */
    <T extends HasMetadata> Change apply(Class<T> type, String namespace, String name, T desired, String broker) {
        T current = client.resources(type).inNamespace(namespace).withName(name).get();
        if (desired == null) {
            if (current == null || !controlledBy(current, broker)) {
                return Change.ABSENT;
            }
            client.resource(current).delete();
            return Change.DELETED;
        }
        desired = withManagedAnnotations(desired);
        if (current == null) {
            client.resource(desired).create();
            return Change.CREATED;
        }
        if (current.getMetadata().getDeletionTimestamp() != null) {
            throw new RetryLaterException(describe(current) + " is being deleted");
        }
        if (!controlledBy(current, broker)) {
            throw new NotOwnedException(describe(current) + " exists and is not controlled by Broker " + namespace + "/"
                    + broker + "; delete or rename it");
        }
        KindPolicy<T> policy = policy(type);
        String recreateReason = policy.recreateReason(current, desired);
        if (recreateReason != null) {
            client.resource(current).withPropagationPolicy(policy.recreatePropagation()).delete();
            if (client.resources(type).inNamespace(namespace).withName(name).get() != null) {
                throw new RetryLaterException(describe(current) + " is being replaced (" + recreateReason + ")");
            }
            client.resource(desired).create();
            return Change.RECREATED;
        }
        if (upToDate(current, desired)) {
            return Change.UNCHANGED;
        }
        T update = policy.preserve(current, merged(current, desired));
        client.resource(update).update();
        return Change.UPDATED;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> KindPolicy<T> policy(Class<T> type) {
        return (KindPolicy<T>) POLICIES.getOrDefault(type, NO_POLICY);
    }

    /** The object has a controller reference to the named Broker. */
    static boolean controlledBy(HasMetadata object, String broker) {
        return broker.equals(controllingBroker(object));
    }

    /** Name of the Broker that controls the object (its controller reference), or null. */
    static String controllingBroker(HasMetadata object) {
        if (object.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference ref : object.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(ref.getController()) && Broker.KIND.equals(ref.getKind())
                    && ref.getApiVersion() != null && ref.getApiVersion().startsWith(Broker.GROUP + "/")) {
                return ref.getName();
            }
        }
        return null;
    }

    private <T extends HasMetadata> T withManagedAnnotations(T desired) {
        T copy = serialization.clone(desired);
        Map<String, String> annotations = copy.getMetadata().getAnnotations() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(copy.getMetadata().getAnnotations());
        annotations.remove(MANAGED_ANNOTATIONS);
        if (!annotations.isEmpty()) {
            annotations.put(MANAGED_ANNOTATIONS, String.join(",", new TreeSet<>(annotations.keySet())));
        }
        copy.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
        return copy;
    }

    /** Annotations the operator set before and no longer wants. */
    private static Set<String> stale(HasMetadata current, HasMetadata desired) {
        Map<String, String> cur = current.getMetadata().getAnnotations();
        if (cur == null || cur.get(MANAGED_ANNOTATIONS) == null) {
            return Set.of();
        }
        Map<String, String> des = desired.getMetadata().getAnnotations() == null
                ? Map.of() : desired.getMetadata().getAnnotations();
        Set<String> out = new LinkedHashSet<>();
        for (String listed : cur.get(MANAGED_ANNOTATIONS).split(",")) {
            String k = listed.trim();
            if (!k.isEmpty() && !des.containsKey(k) && cur.containsKey(k)) {
                out.add(k);
            }
        }
        if (!des.containsKey(MANAGED_ANNOTATIONS)) {
            out.add(MANAGED_ANNOTATIONS);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private boolean upToDate(HasMetadata current, HasMetadata desired) {
        if (!stale(current, desired).isEmpty()) {
            return false;
        }
        Map<String, Object> d = serialization.convertValue(desired, Map.class);
        Map<String, Object> c = serialization.convertValue(current, Map.class);
        Map<String, Object> dm = (Map<String, Object>) d.remove("metadata");
        Map<String, Object> cm = (Map<String, Object>) c.remove("metadata");
        for (String ignored : new String[] {"status", "apiVersion", "kind"}) {
            d.remove(ignored);
            c.remove(ignored);
        }
        for (String key : new String[] {"labels", "annotations", "ownerReferences"}) {
            if (!Subset.matches(dm.get(key), cm.get(key))) {
                return false;
            }
        }
        return Subset.matches(d, c);
    }

    /** The desired object with the current one's resourceVersion, finalizers and foreign labels/annotations. */
    private <T extends HasMetadata> T merged(T current, T desired) {
        T out = serialization.clone(desired);
        var meta = out.getMetadata();
        var cur = current.getMetadata();
        meta.setResourceVersion(cur.getResourceVersion());
        meta.setFinalizers(cur.getFinalizers());
        meta.setLabels(overlay(cur.getLabels(), Set.of(), meta.getLabels()));
        meta.setAnnotations(overlay(cur.getAnnotations(), stale(current, desired), meta.getAnnotations()));
        return out;
    }

    /** {@code base} without {@code dropped}, overwritten by {@code top}; null when that leaves nothing. */
    private static Map<String, String> overlay(Map<String, String> base, Set<String> dropped, Map<String, String> top) {
        Map<String, String> out = base == null ? new LinkedHashMap<>() : new LinkedHashMap<>(base);
        out.keySet().removeAll(dropped);
        if (top != null) {
            out.putAll(top);
        }
        return out.isEmpty() ? null : out;
    }

    static String describe(HasMetadata o) {
        return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
