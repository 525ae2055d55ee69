package io.meshery.broker.operator.controller;

import static io.meshery.broker.operator.controller.MockCluster.broker;
import static io.meshery.broker.operator.controller.MockCluster.createBroker;
import static io.meshery.broker.operator.controller.MockCluster.setSpec;
import static io.meshery.broker.operator.controller.MockCluster.setStatefulSetStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerStatus;
import io.meshery.broker.operator.model.Labels;
import io.meshery.broker.operator.model.OperatorSettings;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against fabric8's mock API server in CRUD mode (no kubelet, no controllers: tests play the
 * StatefulSet controller and the cloud load balancer by writing status). Each test uses its own namespace.
 */
@EnableKubernetesMockClient(crud = true)
class BrokerReconcilerTest {
    static KubernetesClient client;
    static final String NAME = "meshery-broker";
    static final OperatorSettings SETTINGS = OperatorSettings.defaults().withNodePortHost("203.0.113.9");

    static final String START = "2026-01-15T10:30:00Z";

    static BrokerReconciler reconciler() {
        return new BrokerReconciler(client, SETTINGS, Clock.fixed(Instant.parse(START), ZoneOffset.UTC));
    }

    static ReconcileResult reconcile(String ns) {
        return reconcileAt(ns, START);
    }

    /** Reconciles with the clock at the instant {@code at}. */
    static ReconcileResult reconcileAt(String ns, String at) {
        return new BrokerReconciler(client, SETTINGS, Clock.fixed(Instant.parse(at), ZoneOffset.UTC)).reconcile(ns, NAME);
    }

    @BeforeAll
    static void crd() {
        MockCluster.installCrd(client);
    }

    static StatefulSet sts(String ns) {
        return client.apps().statefulSets().inNamespace(ns).withName(NAME).get();
    }

    static Service service(String ns, String name) {
        return client.services().inNamespace(ns).withName(name).get();
    }

    static ConfigMap configMap(String ns) {
        return client.configMaps().inNamespace(ns).withName(NAME + "-config").get();
    }

    static String natsConf(String ns) {
        return configMap(ns).getData().get("nats.conf");
    }

    static BrokerStatus status(String ns) {
        return broker(client, ns, NAME).getStatus();
    }

    /** Plays the cloud provider: the client Service's load balancer got this address. */
    static void setLoadBalancerIngress(String ns, LoadBalancerIngress ingress) {
        Service svc = service(ns, NAME);
        svc.setStatus(new ServiceStatusBuilder().withNewLoadBalancer().withIngress(ingress).endLoadBalancer().build());
        client.resource(svc).updateStatus();
    }

    /** Creates the Broker with this spec and reconciles it once. */
    static ReconcileResult deploy(String ns, String spec) {
        createBroker(client, ns, NAME, spec);
        return reconcile(ns);
    }

    /** Replaces the Broker's spec and reconciles it once. */
    static ReconcileResult respec(String ns, String spec) {
        setSpec(client, ns, NAME, spec);
        return reconcile(ns);
    }

    static Condition ready(String ns) {
        return status(ns).conditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    static String configHash(String ns) {
        return sts(ns).getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH);
    }

    static Secret secret(String ns, String name, String key, String value) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withStringData(Map.of(key, value)).build();
    }

    @Test
    void createsEveryObjectControlledByTheBroker() {
        String ns = "create";
        Broker b = createBroker(client, ns, NAME, "size: 1\n");
        ReconcileResult r = reconcile(ns);
        assertEquals(ReconcileResult.Outcome.PROGRESSING, r.outcome());
        assertEquals(4, r.changes().size(), r.changes().toString());
        List<HasMetadata> objects = List.of(sts(ns), service(ns, NAME), service(ns, NAME + "-headless"), configMap(ns));
        for (HasMetadata o : objects) {
            assertEquals(b.getMetadata().getUid(), o.getMetadata().getOwnerReferences().get(0).getUid());
            assertTrue(o.getMetadata().getOwnerReferences().get(0).getController());
        }
        assertEquals("LoadBalancer", service(ns, NAME).getSpec().getType());
        assertEquals("None", service(ns, NAME + "-headless").getSpec().getClusterIP());
        assertEquals(1, sts(ns).getSpec().getReplicas());
        Condition c = ready(ns);
        assertEquals("False", c.getStatus());
        assertEquals("Reconciling", c.getReason());
        assertEquals(b.getMetadata().getGeneration(), c.getObservedGeneration());
        assertEquals("meshery-broker.create.svc.cluster.local:4222", status(ns).endpoint().internal());
    }

    @Test
    void reconcileIsIdempotent() {
        String ns = "idempotent";
        deploy(ns, "size: 3\nclustering: {enabled: true}\njetstream: {enabled: true}\n"
                + "networkPolicy: {enabled: true}\npodDisruptionBudget: {enabled: true}\n"
                + "service: {annotations: {a: b}}\n");
        Map<String, String> versions = versions(ns);
        String brokerVersion = broker(client, ns, NAME).getMetadata().getResourceVersion();
        for (int i = 0; i < 3; i++) {
            ReconcileResult again = reconcile(ns);
            assertEquals(List.of(), again.changes());
        }
        assertEquals(versions, versions(ns), "no object was written");
        assertEquals(brokerVersion, broker(client, ns, NAME).getMetadata().getResourceVersion(), "status unchanged");
    }

    static Map<String, String> versions(String ns) {
        return Map.of(
                "sts", sts(ns).getMetadata().getResourceVersion(),
                "svc", service(ns, NAME).getMetadata().getResourceVersion(),
                "headless", service(ns, NAME + "-headless").getMetadata().getResourceVersion(),
                "cm", configMap(ns).getMetadata().getResourceVersion(),
                "np", client.network().networkPolicies().inNamespace(ns).withName(NAME).get().getMetadata()
                        .getResourceVersion(),
                "pdb", client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(NAME).get().getMetadata()
                        .getResourceVersion());
    }

    @Test
    void scalesUpAndDown() {
        String ns = "scale";
        deploy(ns, "size: 1\nclustering: {enabled: true}\n");
        String hash1 = configHash(ns);
        ReconcileResult r = respec(ns, "size: 3\nclustering: {enabled: true}\n");
        assertTrue(r.changes().contains("StatefulSet/meshery-broker updated"), r.changes().toString());
        assertEquals(3, sts(ns).getSpec().getReplicas());
        assertTrue(natsConf(ns).contains("meshery-broker-2.meshery-broker-headless"));
        assertNotEquals(hash1, configHash(ns), "new seed members roll the pods");
        respec(ns, "size: 1\nclustering: {enabled: true}\n");
        assertEquals(1, sts(ns).getSpec().getReplicas());
        assertFalse(natsConf(ns).contains("meshery-broker-1."));
    }

    @Test
    void changesServiceTypeKeepingAllocatedAddressesAndPorts() {
        String ns = "svctype";
        deploy(ns, "service: {type: LoadBalancer}\n");
        // the API server allocates the cluster IP and node ports
        client.services().inNamespace(ns).withName(NAME).edit(s -> new ServiceBuilder(s).editSpec()
                .withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10")
                .editMatchingPort(p -> p.getName().equals("client")).withNodePort(31222).endPort()
                .editMatchingPort(p -> p.getName().equals("monitor")).withNodePort(31822).endPort()
                .endSpec().build());
        setSpec(client, ns, NAME, "service: {type: NodePort}\n");
        assertTrue(reconcile(ns).changes().contains("Service/meshery-broker updated"));
        Service np = service(ns, NAME);
        assertEquals("NodePort", np.getSpec().getType());
        assertEquals("10.96.0.10", np.getSpec().getClusterIP());
        assertEquals(31222, np.getSpec().getPorts().get(0).getNodePort(), "node port kept");
        assertEquals("203.0.113.9:31222", status(ns).endpoint().external());

        respec(ns, "service: {type: ClusterIP}\n");
        Service cip = service(ns, NAME);
        assertEquals("ClusterIP", cip.getSpec().getType());
        assertNull(cip.getSpec().getPorts().get(0).getNodePort(), "no node ports on a ClusterIP Service");
        assertEquals("10.96.0.10", cip.getSpec().getClusterIP());
        assertNull(status(ns).endpoint().external());
    }

    @Test
    void serviceAnnotationsFollowTheSpecAndForeignOnesStay() {
        String ns = "annotations";
        deploy(ns, "service: {annotations: {a: '1', b: '2'}}\n");
        client.services().inNamespace(ns).withName(NAME).edit(s -> {
            s.getMetadata().getAnnotations().put("cloud.example/added", "x");
            return s;
        });
        respec(ns, "service: {annotations: {a: '1'}}\n");
        Map<String, String> annotations = service(ns, NAME).getMetadata().getAnnotations();
        assertEquals("1", annotations.get("a"));
        assertFalse(annotations.containsKey("b"), "removed from the spec, removed from the Service");
        assertEquals("x", annotations.get("cloud.example/added"));
    }

    @Test
    void storageChangesRecreateTheStatefulSetAndGrowClaims() {
        String ns = "storage";
        deploy(ns, "size: 1\n");
        String uid = sts(ns).getMetadata().getUid();
        ReconcileResult r = respec(ns, "size: 1\njetstream: {enabled: true, storageSize: 10Gi}\n");
        assertTrue(r.changes().contains("StatefulSet/meshery-broker recreated"), r.changes().toString());
        assertNotEquals(uid, sts(ns).getMetadata().getUid());
        assertEquals(new Quantity("10Gi"), sts(ns).getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources()
                .getRequests().get("storage"));
        assertTrue(natsConf(ns).contains("max_file_store: 10737418240"));
        // the StatefulSet controller made the pod's claim from the template
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("jetstream-meshery-broker-0")
                .withNamespace(ns).withLabels(Labels.of(NAME)).endMetadata().withNewSpec()
                .withNewResources().withRequests(Map.of("storage", new Quantity("10Gi"))).endResources().endSpec().build())
                .create();
        r = respec(ns, "size: 1\njetstream: {enabled: true, storageSize: 20Gi}\n");
        assertTrue(r.changes().contains("StatefulSet/meshery-broker recreated"), r.changes().toString());
        assertTrue(r.changes().contains("PersistentVolumeClaim/jetstream-meshery-broker-0 resized"), r.changes().toString());
        assertEquals(new Quantity("20Gi"), client.persistentVolumeClaims().inNamespace(ns)
                .withName("jetstream-meshery-broker-0").get().getSpec().getResources().getRequests().get("storage"));
        assertEquals(List.of(), reconcile(ns).changes());
    }

    @Test
    void authIsAddedChangedAndRemoved() {
        String ns = "auth";
        deploy(ns, "size: 1\n");
        String noAuth = configHash(ns);
        client.resource(secret(ns, "meshery-broker-auth", "users.json",
                "{\"users\":[{\"user\":\"meshery\",\"password\":\"one\"}]}")).create();
        ReconcileResult r = respec(ns, "auth: {secretRef: {name: meshery-broker-auth}}\n");
        assertEquals(List.of("ConfigMap/meshery-broker-config updated", "StatefulSet/meshery-broker updated"),
                r.changes());
        assertTrue(natsConf(ns).contains("users_file: \"/etc/meshery-broker/users.json\""));
        assertTrue(sts(ns).getSpec().getTemplate().getSpec().getVolumes().get(0).getProjected().getSources().stream()
                .anyMatch(v -> v.getSecret() != null && v.getSecret().getName().equals("meshery-broker-auth")),
                "the user's Secret is mounted");
        String withAuth = configHash(ns);
        assertNotEquals(noAuth, withAuth);

        client.secrets().inNamespace(ns).withName("meshery-broker-auth").edit(s -> {
            s.setStringData(null);
            s.setData(Map.of("users.json", java.util.Base64.getEncoder().encodeToString(
                    "{\"users\":[{\"user\":\"meshery\",\"password\":\"two\"}]}".getBytes())));
            return s;
        });
        r = reconcile(ns);
        assertEquals(List.of("StatefulSet/meshery-broker updated"), r.changes());
        assertNotEquals(withAuth, configHash(ns), "a new password rolls the pods");

        r = respec(ns, "size: 1\n");
        assertEquals(List.of("ConfigMap/meshery-broker-config updated", "StatefulSet/meshery-broker updated"),
                r.changes());
        assertEquals(noAuth, configHash(ns));
        assertNotNull(client.secrets().inNamespace(ns).withName("meshery-broker-auth").get(), "the user's Secret stays");
        assertEquals(List.of("meshery-broker-auth"), client.secrets().inNamespace(ns).list().getItems().stream()
                .map(x -> x.getMetadata().getName()).toList(), "the operator wrote no Secret of its own");
    }

    @Test
    void repairsDrift() {
        String ns = "drift";
        deploy(ns, "size: 2\n");
        String conf = natsConf(ns);

        client.services().inNamespace(ns).withName(NAME).delete();
        client.configMaps().inNamespace(ns).withName(NAME + "-config").edit(c -> {
            c.getData().put("nats.conf", "port: 1\n");
            return c;
        });
        client.apps().statefulSets().inNamespace(ns).withName(NAME).edit(s -> {
            s.getSpec().setReplicas(7);
            return s;
        });
        client.services().inNamespace(ns).withName(NAME + "-headless").edit(s -> {
            s.getSpec().getPorts().get(0).setPort(9999);
            return s;
        });
        ReconcileResult r = reconcile(ns);
        assertEquals(List.of("ConfigMap/meshery-broker-config updated", "Service/meshery-broker-headless updated",
                "Service/meshery-broker created", "StatefulSet/meshery-broker updated"), r.changes());
        assertEquals(conf, natsConf(ns));
        assertEquals(2, sts(ns).getSpec().getReplicas());
        assertEquals(4222, service(ns, NAME + "-headless").getSpec().getPorts().get(0).getPort());
        assertNotNull(service(ns, NAME));

        client.apps().statefulSets().inNamespace(ns).withName(NAME).delete();
        assertEquals(List.of("StatefulSet/meshery-broker created"), reconcile(ns).changes());
    }

    @Test
    void deletingTheBrokerRemovesItsObjects() {
        String ns = "delete";
        createBroker(client, ns, NAME, "auth: {secretRef: {name: a}}\nnetworkPolicy: {enabled: true}\n");
        client.resource(secret(ns, "a", "users.json", "{\"token\":\"t\"}")).create();
        reconcile(ns);
        client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("unrelated").withNamespace(ns).endMetadata().build()).create();
        client.resources(Broker.class).inNamespace(ns).withName(NAME).delete();
        ReconcileResult r = reconcile(ns);
        assertEquals(ReconcileResult.Outcome.DELETED, r.outcome());
        assertNull(sts(ns));
        assertNull(service(ns, NAME));
        assertNull(service(ns, NAME + "-headless"));
        assertNull(configMap(ns));
        assertNull(client.network().networkPolicies().inNamespace(ns).withName(NAME).get());
        assertNotNull(client.secrets().inNamespace(ns).withName("a").get());
        assertNotNull(client.configMaps().inNamespace(ns).withName("unrelated").get());
    }

    @Test
    void statusEndpointsForEveryServiceType() {
        String ns = "endpoints";
        deploy(ns, "service: {type: LoadBalancer}\n");
        BrokerStatus s = status(ns);
        assertEquals("meshery-broker.endpoints.svc.cluster.local:4222", s.endpoint().internal());
        assertNull(s.endpoint().external(), "load balancer pending");

        setLoadBalancerIngress(ns, new LoadBalancerIngressBuilder().withIp("34.123.45.67").build());
        reconcile(ns);
        assertEquals("34.123.45.67:4222", status(ns).endpoint().external());

        setLoadBalancerIngress(ns, new LoadBalancerIngressBuilder().withHostname("lb.example.com").build());
        reconcile(ns);
        assertEquals("lb.example.com:4222", status(ns).endpoint().external());

        respec(ns, "service: {type: LoadBalancer, externalEndpointOverride: broker.example.com}\n");
        assertEquals("broker.example.com:4222", status(ns).endpoint().external());

        respec(ns, "service: {type: ClusterIP}\n");
        assertNull(status(ns).endpoint().external());
        assertEquals("meshery-broker.endpoints.svc.cluster.local:4222", status(ns).endpoint().internal());

        respec(ns, "service: {type: NodePort}\n");
        client.services().inNamespace(ns).withName(NAME).edit(x -> new ServiceBuilder(x).editSpec()
                .editMatchingPort(p -> p.getName().equals("client")).withNodePort(30422).endPort().endSpec().build());
        reconcile(ns);
        assertEquals("203.0.113.9:30422", status(ns).endpoint().external());
    }

    @Test
    void conditionsMoveAsReadyReplicasChange() {
        String ns = "conditions";
        createBroker(client, ns, NAME, "size: 3\nclustering: {enabled: true}\n");
        assertEquals(ReconcileResult.Outcome.PROGRESSING, reconcileAt(ns, "2026-01-15T10:30:00Z").outcome());
        assertEquals("Reconciling", ready(ns).getReason());

        setStatefulSetStatus(client, ns, NAME, 3, 2);
        reconcileAt(ns, "2026-01-15T10:31:00Z");
        assertEquals("HealthCheckFailed", ready(ns).getReason());
        assertEquals("2 of 3 replicas ready", ready(ns).getMessage());
        assertEquals("2026-01-15T10:30:00Z", ready(ns).getLastTransitionTime());
        assertEquals(2, status(ns).readyReplicas());

        setStatefulSetStatus(client, ns, NAME, 3, 3);
        assertEquals(ReconcileResult.Outcome.READY, reconcileAt(ns, "2026-01-15T10:32:00Z").outcome());
        assertEquals("True", ready(ns).getStatus());
        assertEquals("BrokerDeployed", ready(ns).getReason());
        assertEquals("2026-01-15T10:32:00Z", ready(ns).getLastTransitionTime());
        assertEquals(3, status(ns).readyReplicas());

        setStatefulSetStatus(client, ns, NAME, 3, 1);
        reconcileAt(ns, "2026-01-15T10:33:00Z");
        assertEquals("False", ready(ns).getStatus());
        assertEquals("1 of 3 replicas ready", ready(ns).getMessage());
        assertEquals("2026-01-15T10:33:00Z", ready(ns).getLastTransitionTime());
        Broker b = setSpec(client, ns, NAME, "size: 3\nclustering: {enabled: true}\nconfig: {debug: true}\n");
        reconcileAt(ns, "2026-01-15T10:33:00Z");
        assertEquals(b.getMetadata().getGeneration(), ready(ns).getObservedGeneration());
        assertEquals(b.getMetadata().getGeneration(), status(ns).observedGeneration());
    }

    @Test
    void invalidSpecsAreReportedAndChangeNothing() {
        String ns = "invalid";
        deploy(ns, "size: 1\n");
        String version = sts(ns).getMetadata().getResourceVersion();
        ReconcileResult r = respec(ns, "size: 0\n");
        assertEquals(ReconcileResult.Outcome.INVALID, r.outcome());
        assertEquals("InvalidSpec", ready(ns).getReason());
        assertTrue(ready(ns).getMessage().contains("spec.size"));
        assertEquals(version, sts(ns).getMetadata().getResourceVersion(), "deployed objects untouched");

        r = respec(ns, "tls: {enabled: true, secretName: missing-tls}\n");
        assertEquals(ReconcileResult.Outcome.FAILED, r.outcome());
        assertEquals("SecretNotFound", ready(ns).getReason());

        client.resource(secret(ns, "bad-auth", "users.json", "{\"users\": \"everyone\"}")).create();
        respec(ns, "auth: {secretRef: {name: bad-auth}}\n");
        assertEquals("SecretInvalid", ready(ns).getReason());

        respec(ns, "size: 1\n");
        assertEquals("Reconciling", ready(ns).getReason(), "fixed spec recovers");
    }

    @Test
    void aSpecThatDoesNotDeserializeIsReportedNotThrown() {
        String ns = "unreadable";
        MockCluster.createUnreadableBroker(client, ns, NAME);
        ReconcileResult r = reconcile(ns);
        assertEquals(ReconcileResult.Outcome.INVALID, r.outcome());
        assertTrue(r.message().startsWith("spec cannot be read"), r.message());
        Map<?, ?> status = (Map<?, ?>) client.genericKubernetesResources(Broker.API_VERSION, Broker.KIND).inNamespace(ns)
                .withName(NAME).get().getAdditionalProperties().get("status");
        Map<?, ?> condition = (Map<?, ?>) ((List<?>) status.get("conditions")).get(0);
        assertEquals("InvalidSpec", condition.get("reason"));
        assertNull(sts(ns));
    }

    @Test
    void objectsNotControlledByTheBrokerAreNotTouched() {
        String ns = "foreign";
        client.resource(new ServiceBuilder().withNewMetadata().withName(NAME).withNamespace(ns).endMetadata()
                .withNewSpec().withType("ClusterIP").addNewPort().withPort(1).endPort().endSpec().build()).create();
        createBroker(client, ns, NAME, "size: 1\n");
        ReconcileResult r = reconcile(ns);
        assertEquals(ReconcileResult.Outcome.FAILED, r.outcome());
        assertTrue(ready(ns).getMessage().contains("not controlled by Broker"), ready(ns).getMessage());
        assertEquals(1, service(ns, NAME).getSpec().getPorts().get(0).getPort());
    }

    @Test
    void optionalObjectsFollowTheirSwitches() {
        String ns = "optional";
        deploy(ns, "size: 3\nnetworkPolicy: {enabled: true}\npodDisruptionBudget: {enabled: true}\n");
        NetworkPolicy np = client.network().networkPolicies().inNamespace(ns).withName(NAME).get();
        assertEquals(Labels.selector(NAME), np.getSpec().getPodSelector().getMatchLabels());
        PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(NAME).get();
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
        ReconcileResult r = respec(ns, "size: 3\n");
        assertTrue(r.changes().containsAll(List.of("NetworkPolicy/meshery-broker deleted",
                "PodDisruptionBudget/meshery-broker deleted")), r.changes().toString());
    }

    @Test
    void everyReconcileLogsExactlyOneLineWithTheBrokerAndTheOutcome() {
        String ns = "logs";
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(BrokerReconciler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            createBroker(client, ns, NAME, "size: 1\n");
            List<ReconcileResult> results = new java.util.ArrayList<>();
            results.add(reconcile(ns));
            results.add(reconcile(ns));
            setSpec(client, ns, NAME, "size: 0\n");
            results.add(reconcile(ns));
            client.resources(Broker.class).inNamespace(ns).withName(NAME).delete();
            results.add(reconcile(ns));
            List<String> logged = lines.list.stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m.contains(ns + "/")).toList();
            assertEquals(results.size(), logged.size(), logged.toString());
            List<String> outcomes = List.of("PROGRESSING", "PROGRESSING", "INVALID", "DELETED");
            for (int i = 0; i < logged.size(); i++) {
                assertTrue(logged.get(i).startsWith("reconciled " + ns + "/" + NAME + ": " + outcomes.get(i) + " ("),
                        logged.get(i));
                assertEquals(outcomes.get(i), results.get(i).outcome().name());
            }
            assertTrue(logged.get(0).contains("StatefulSet/meshery-broker created"), logged.get(0));
            assertTrue(logged.get(1).contains("no changes"), logged.get(1));
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void severalBrokersInSeveralNamespaces() {
        for (String ns : List.of("team-a", "team-b", "team-c")) {
            createBroker(client, ns, NAME, "size: 1\n");
            createBroker(client, ns, "second", "size: 2\nservice: {type: ClusterIP}\n");
        }
        for (String ns : List.of("team-a", "team-b", "team-c")) {
            reconciler().reconcile(ns, NAME);
            reconciler().reconcile(ns, "second");
        }
        for (String ns : List.of("team-a", "team-b", "team-c")) {
            assertEquals(1, sts(ns).getSpec().getReplicas());
            assertEquals(2, client.apps().statefulSets().inNamespace(ns).withName("second").get().getSpec().getReplicas());
            assertEquals("ClusterIP", service(ns, "second").getSpec().getType());
            assertTrue(client.configMaps().inNamespace(ns).withName("second-config").get().getData().get("nats.conf")
                    .contains("Broker " + ns + "/second"));
        }
    }
}
