package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshery.broker.operator.TestSupport;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;

/** Helpers over fabric8's CRUD mock API server: install the CRD, write Brokers, play the StatefulSet controller. */
final class MockCluster {
    private MockCluster() {}

    static void installCrd(KubernetesClient client) {
        CustomResourceDefinition crd = TestSupport.SERIALIZATION.unmarshal(TestSupport.read(TestSupport.CRD_FILE),
                CustomResourceDefinition.class);
        if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
            client.resource(crd).create();
        }
    }

    static BrokerSpec spec(String yaml) {
        return TestSupport.SERIALIZATION.unmarshal(yaml, BrokerSpec.class);
    }

    static Broker createBroker(KubernetesClient client, String namespace, String name, String specYaml) {
        Broker b = TestSupport.broker(namespace, name, spec(specYaml));
        b.getMetadata().setUid(null);
        b.getMetadata().setGeneration(null);
        return client.resource(b).create();
    }

    /** Changes the spec as kubectl would, retrying when a concurrent status write wins (409). */
    static Broker setSpec(KubernetesClient client, String namespace, String name, String specYaml) {
        return retryOnConflict(() -> client.resources(Broker.class).inNamespace(namespace).withName(name).edit(b -> {
            b.setSpec(spec(specYaml));
            b.getMetadata().setGeneration(b.getMetadata().getGeneration() == null ? 2
                    : b.getMetadata().getGeneration() + 1);
            return b;
        }));
    }

    /** Writes a Broker the typed model cannot read, as kubectl could if the CRD had no schema. */
    static void createUnreadableBroker(KubernetesClient client, String namespace, String name) {
        io.fabric8.kubernetes.api.model.GenericKubernetesResource g = TestSupport.SERIALIZATION.unmarshal(
                "apiVersion: meshery.io/v1alpha1\nkind: Broker\nmetadata: {name: " + name + ", namespace: " + namespace
                        + "}\nspec: {size: many, service: {type: Foo}}\n",
                io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        client.genericKubernetesResources(Broker.API_VERSION, Broker.KIND).inNamespace(namespace).resource(g).create();
    }

    static Broker broker(KubernetesClient client, String namespace, String name) {
        return client.resources(Broker.class).inNamespace(namespace).withName(name).get();
    }

    /** Runs a write, again when a concurrent writer wins (409), as controllers and kubectl do. */
    static <T> T retryOnConflict(java.util.function.Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Plays the StatefulSet controller: the given counts, everything rolled out. */
    static void setStatefulSetStatus(KubernetesClient client, String namespace, String name, int replicas, int ready) {
        retryOnConflict(() -> {
            writeStatefulSetStatus(client, namespace, name, replicas, ready);
            return null;
        });
    }

    private static void writeStatefulSetStatus(KubernetesClient client, String namespace, String name, int replicas,
            int ready) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .withReplicas(replicas).withReadyReplicas(ready).withUpdatedReplicas(replicas)
                .withCurrentRevision("r1").withUpdateRevision("r1").build());
        client.resource(sts).updateStatus();
    }
}
