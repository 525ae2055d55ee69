package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * StatefulSets: an update keeps the {@code kubectl.kubernetes.io/*} annotations of the pod template (such as
 * {@code restartedAt} from {@code kubectl rollout restart}). The selector, serviceName, podManagementPolicy
 * and volumeClaimTemplates cannot change in place: the StatefulSet is then deleted with orphan propagation, so
 * its pods keep running, and created again; the new one adopts the pods and rolls them.
 */
final class StatefulSetPolicy implements KindPolicy<StatefulSet> {
    private static final String KUBECTL_PREFIX = "kubectl.kubernetes.io/";

    @Override
    public StatefulSet preserve(StatefulSet current, StatefulSet desired) {
        if (current.getSpec() == null || current.getSpec().getTemplate() == null
                || current.getSpec().getTemplate().getMetadata() == null
                || current.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
            return desired;
        }
        Map<String, String> cur = current.getSpec().getTemplate().getMetadata().getAnnotations();
        var meta = desired.getSpec().getTemplate().getMetadata();
        cur.forEach((k, v) -> {
            if (k.startsWith(KUBECTL_PREFIX)) {
                meta.getAnnotations().putIfAbsent(k, v);
            }
        });
        return desired;
    }

    @Override
    public String recreateReason(StatefulSet current, StatefulSet desired) {
        StatefulSetSpec cur = current.getSpec();
        StatefulSetSpec des = desired.getSpec();
        if (cur == null || des == null) {
            return null;
        }
        if (!Objects.equals(cur.getSelector(), des.getSelector())) {
            return "selector changed";
        }
        if (!Objects.equals(cur.getServiceName(), des.getServiceName())) {
            return "serviceName changed";
        }
        if (cur.getPodManagementPolicy() != null && des.getPodManagementPolicy() != null
                && !Objects.equals(cur.getPodManagementPolicy(), des.getPodManagementPolicy())) {
            return "podManagementPolicy changed";
        }
        if (!claims(cur.getVolumeClaimTemplates()).equals(claims(des.getVolumeClaimTemplates()))) {
            return "volumeClaimTemplates changed";
        }
        return null;
    }

    @Override
    public DeletionPropagation recreatePropagation() {
        return DeletionPropagation.ORPHAN;
    }

    /** The storage a claim (or claim template) asks for, or null. */
    static Quantity storageRequest(PersistentVolumeClaim claim) {
        var spec = claim.getSpec();
        return spec == null || spec.getResources() == null || spec.getResources().getRequests() == null
                ? null : spec.getResources().getRequests().get("storage");
    }

    /** The parts of the claim templates the operator sets: name, access modes, class and size. */
    private static List<List<Object>> claims(List<PersistentVolumeClaim> templates) {
        List<List<Object>> out = new ArrayList<>();
        if (templates == null) {
            return out;
        }
        for (PersistentVolumeClaim t : templates) {
            var spec = t.getSpec();
            Quantity size = storageRequest(t);
            List<Object> key = new ArrayList<>();
            key.add(t.getMetadata() == null ? null : t.getMetadata().getName());
            key.add(spec == null ? null : spec.getAccessModes());
            key.add(spec == null ? null : spec.getStorageClassName());
            key.add(size == null ? null : Quantity.getAmountInBytes(size).toBigInteger());
            out.add(key);
        }
        return out;
    }
}
