package io.meshery.broker.operator.model;

import static io.meshery.broker.operator.TestSupport.broker;
import static io.meshery.broker.operator.TestSupport.brokerYaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The objects a Broker becomes, asserted with no API server. */
class BrokerClusterTest {
    static final OperatorSettings SETTINGS = OperatorSettings.defaults();

    static BrokerCluster cluster(String specYaml, Secret auth, Secret tls) throws InvalidBrokerException {
        Broker b = brokerYaml("apiVersion: meshery.io/v1alpha1\nkind: Broker\nmetadata:\n  name: meshery-broker\n"
                + "  namespace: meshery\n  uid: u-1\n  generation: 1\nspec:\n" + specYaml.indent(2));
        return BrokerCluster.fromCrd(b, auth, tls, SETTINGS);
    }

    static BrokerCluster cluster(String specYaml) throws InvalidBrokerException {
        return cluster(specYaml, null, null);
    }

    static Secret secret(String name, Map<String, String> data) {
        Map<String, String> encoded = new java.util.TreeMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("meshery").endMetadata()
                .withData(encoded).build();
    }

    static final Secret USERS = secret("meshery-broker-auth",
            Map.of("users.json", "{\"users\":[{\"user\":\"meshery\",\"password\":\"s3cr\\\"et\"}]}"));
    static final Secret TLS = secret("meshery-broker-tls",
            Map.of("tls.crt", "CERT", "tls.key", "KEY", "ca.crt", "CA"));

    static Container container(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static List<String> portNames(List<ContainerPort> ports) {
        return ports.stream().map(ContainerPort::getName).toList();
    }

    @Test
    void basicBrokerBecomesStatefulSetServicesAndConfigMap() throws Exception {
        BrokerCluster c = cluster("size: 1\n");
        StatefulSet sts = c.generateStatefulSet();
        assertEquals("meshery-broker", sts.getMetadata().getName());
        assertEquals("meshery", sts.getMetadata().getNamespace());
        assertEquals(1, sts.getSpec().getReplicas());
        assertEquals("meshery-broker-headless", sts.getSpec().getServiceName());
        assertEquals("Parallel", sts.getSpec().getPodManagementPolicy());
        assertEquals(Map.of("app.kubernetes.io/name", "meshery-broker", "app.kubernetes.io/instance", "meshery-broker"),
                sts.getSpec().getSelector().getMatchLabels());
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("meshery-broker", podLabels.get("app"), "kubectl -l app=meshery-broker finds the pods");
        assertTrue(podLabels.entrySet().containsAll(sts.getSpec().getSelector().getMatchLabels().entrySet()));
        assertTrue(sts.getSpec().getVolumeClaimTemplates() == null || sts.getSpec().getVolumeClaimTemplates().isEmpty());

        Container ct = container(sts);
        assertEquals("meshery/meshery-broker:0.1.0", ct.getImage());
        assertEquals(List.of("/opt/meshery-broker/bin/meshery-broker"), ct.getCommand());
        assertEquals(List.of("-c", "/etc/meshery-broker/nats.conf"), ct.getArgs());
        assertEquals(List.of("client", "monitor"), portNames(ct.getPorts()));
        assertEquals(4222, ct.getPorts().get(0).getContainerPort());
        assertEquals(8222, ct.getPorts().get(1).getContainerPort());
        assertEquals("/healthz", ct.getStartupProbe().getHttpGet().getPath());
        assertEquals("/healthz?js-server-only=true", ct.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/healthz?js-enabled-only=true", ct.getLivenessProbe().getHttpGet().getPath());
        assertEquals("monitor", ct.getReadinessProbe().getHttpGet().getPort().getStrVal());
        String preStop = String.join(" ", ct.getLifecycle().getPreStop().getExec().getCommand());
        assertTrue(preStop.contains("/opt/meshery-broker/bin/meshery-broker --signal ldm=/var/run/meshery-broker/broker.pid"),
                preStop);
        EnvVar podName = ct.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst().orElseThrow();
        assertEquals("metadata.name", podName.getValueFrom().getFieldRef().getFieldPath());

        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(10001L, pod.getSecurityContext().getRunAsUser());
        assertFalse(ct.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(ct.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), ct.getSecurityContext().getCapabilities().getDrop());
        assertTrue(pod.getTerminationGracePeriodSeconds() > 40, "longer than lame duck duration + grace period");
        assertNotNull(sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH));

        Service headless = c.generateHeadlessService();
        assertEquals("meshery-broker-headless", headless.getMetadata().getName());
        assertEquals("None", headless.getSpec().getClusterIP());
        assertTrue(headless.getSpec().getPublishNotReadyAddresses());
        Service client = c.generateClientService();
        assertEquals("meshery-broker", client.getMetadata().getName());
        assertEquals("LoadBalancer", client.getSpec().getType(), "the seed's default");
        assertEquals(List.of("client", "monitor"), client.getSpec().getPorts().stream().map(ServicePort::getName).toList());
        assertEquals(Labels.selector("meshery-broker"), client.getSpec().getSelector());

        assertEquals("meshery-broker-config", c.generateConfigMap().getMetadata().getName());
        assertTrue(c.generateConfigMap().getData().containsKey("nats.conf"));
        assertNull(c.generateNetworkPolicy());
        assertNull(c.generatePodDisruptionBudget());
    }

    @Test
    void everyObjectIsControlledByTheBroker() throws Exception {
        BrokerCluster c = cluster("size: 3\nclustering: {enabled: true}\nauth: {secretRef: {name: meshery-broker-auth}}\n"
                + "networkPolicy: {enabled: true}\npodDisruptionBudget: {enabled: true}\n", USERS, null);
        List<HasMetadata> all = List.of(c.generateStatefulSet(), c.generateHeadlessService(), c.generateClientService(),
                c.generateConfigMap(), c.generateNetworkPolicy(), c.generatePodDisruptionBudget());
        for (HasMetadata o : all) {
            OwnerReference ref = o.getMetadata().getOwnerReferences().get(0);
            assertEquals("meshery.io/v1alpha1", ref.getApiVersion());
            assertEquals("Broker", ref.getKind());
            assertEquals("meshery-broker", ref.getName());
            assertEquals("u-1", ref.getUid());
            assertTrue(ref.getController());
            assertTrue(ref.getBlockOwnerDeletion());
            assertEquals("meshery-broker-operator", o.getMetadata().getLabels().get(Labels.MANAGED_BY));
            assertEquals("meshery", o.getMetadata().getNamespace());
        }
    }

    @Test
    void clusteringAddsPortsRoutesAndSeedMembers() throws Exception {
        BrokerCluster c = cluster("size: 3\nclustering:\n  enabled: true\n");
        Container ct = container(c.generateStatefulSet());
        assertEquals(List.of("client", "monitor", "cluster", "management"), portNames(ct.getPorts()));
        assertEquals(6222, ct.getPorts().get(2).getContainerPort());
        assertEquals(8558, ct.getPorts().get(3).getContainerPort());
        assertEquals(List.of("client", "monitor", "cluster", "management"),
                c.generateHeadlessService().getSpec().getPorts().stream().map(ServicePort::getName).toList());
        assertEquals(List.of("client", "monitor"),
                c.generateClientService().getSpec().getPorts().stream().map(ServicePort::getName).toList(),
                "cluster ports stay off the client Service");
        String conf = c.natsConf();
        assertTrue(conf.contains("cluster {\n  name: \"meshery-broker\"\n  port: 6222\n  routes: [\n"
                + "    \"nats://meshery-broker-0.meshery-broker-headless.meshery.svc.cluster.local:6222\"\n"
                + "    \"nats://meshery-broker-1.meshery-broker-headless.meshery.svc.cluster.local:6222\"\n"
                + "    \"nats://meshery-broker-2.meshery-broker-headless.meshery.svc.cluster.local:6222\"\n  ]\n}\n"), conf);
        String javaOpts = ct.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS")).findFirst().orElseThrow()
                .getValue();
        assertTrue(javaOpts.contains(
                "-Dpekko.remote.artery.canonical.hostname=$(POD_NAME).meshery-broker-headless.$(POD_NAMESPACE).svc.cluster.local"));
        assertTrue(javaOpts.contains("-Dpekko.management.http.port=8558"), javaOpts);
        assertNotNull(c.generateStatefulSet().getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity());
    }

    @Test
    void withoutClusteringThereIsNoClusterBlock() throws Exception {
        BrokerCluster c = cluster("size: 2\n");
        assertFalse(c.natsConf().contains("cluster {"));
        assertEquals(List.of("client", "monitor"), portNames(container(c.generateStatefulSet()).getPorts()));
    }

    @Test
    void scalingBeyondThreeSeedsKeepsTheConfigurationAndItsHash() throws Exception {
        BrokerCluster three = cluster("size: 3\nclustering: {enabled: true}\n");
        BrokerCluster five = cluster("size: 5\nclustering: {enabled: true}\n");
        assertEquals(3, five.routes().size());
        assertEquals(three.natsConf(), five.natsConf());
        assertEquals(three.configHash(), five.configHash());
        assertEquals(5, five.generateStatefulSet().getSpec().getReplicas());
        BrokerCluster one = cluster("size: 1\nclustering: {enabled: true}\n");
        assertNotEquals(one.configHash(), three.configHash());
    }

    @Test
    void nastConfHasTheBaseSettings() throws Exception {
        String conf = cluster("config:\n  maxPayload: 8Mi\n  maxConnections: 1000\n  debug: true\n").natsConf();
        assertTrue(conf.startsWith("# Generated by meshery-broker operator-lite for Broker meshery/meshery-broker."));
        for (String line : List.of("port: 4222", "http_port: 8222", "server_name: $POD_NAME",
                "pid_file: \"/var/run/meshery-broker/broker.pid\"", "max_payload: 8388608", "max_connections: 1000",
                "lame_duck_duration: \"30s\"", "lame_duck_grace_period: \"10s\"", "debug: true", "trace: false",
                "logtime: true")) {
            assertTrue(conf.contains("\n" + line + "\n"), line + " in\n" + conf);
        }
    }

    @Test
    void jetStreamAddsClaimTemplateMountAndStore() throws Exception {
        BrokerCluster c = cluster("jetstream:\n  enabled: true\n  storageClass: standard\n  storageSize: 10Gi\n");
        StatefulSet sts = c.generateStatefulSet();
        var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
        assertEquals("jetstream", claim.getMetadata().getName());
        assertEquals("standard", claim.getSpec().getStorageClassName());
        assertEquals(List.of("ReadWriteOnce"), claim.getSpec().getAccessModes());
        assertEquals(new Quantity("10Gi"), claim.getSpec().getResources().getRequests().get("storage"));
        assertTrue(container(sts).getVolumeMounts().stream()
                .anyMatch(m -> m.getName().equals("jetstream") && m.getMountPath().equals("/data")));
        assertNull(sts.getSpec().getPersistentVolumeClaimRetentionPolicy(), "the default (Retain) keeps the claims");
        assertTrue(container(sts).getEnv().stream()
                .anyMatch(e -> e.getName().equals("MESHERY_BROKER_CDS_DIR") && e.getValue().equals("/data/cds")),
                "the launcher's class data sharing archive lives on the volume");
        assertTrue(c.natsConf().contains("jetstream {\n  store_dir: \"/data/jetstream\"\n  max_file_store: 10737418240\n}\n"),
                c.natsConf());
    }

    @Test
    void authMountsTheUsersSecretAsTheNodesUsersFileAndNeverCopiesIt() throws Exception {
        BrokerCluster c = cluster("auth:\n  secretRef:\n    name: meshery-broker-auth\n", USERS, null);
        String conf = c.generateConfigMap().getData().get("nats.conf");
        assertTrue(conf.contains("\nauthorization {\n  users_file: \"/etc/meshery-broker/users.json\"\n}\n"), conf);
        assertFalse(conf.contains("s3cr"), "no password in the ConfigMap");
        List<VolumeProjection> sources = c.generateStatefulSet().getSpec().getTemplate().getSpec().getVolumes().get(0)
                .getProjected().getSources();
        assertEquals("meshery-broker-auth", sources.get(1).getSecret().getName(), "the user's own Secret");
        assertEquals("users.json", sources.get(1).getSecret().getItems().get(0).getKey());
        assertEquals("users.json", sources.get(1).getSecret().getItems().get(0).getPath());

        BrokerCluster otherKey = cluster("auth: {secretRef: {name: a, key: creds}}\n",
                secret("a", Map.of("creds", "{\"token\":\"t\"}")), null);
        var item = otherKey.generateStatefulSet().getSpec().getTemplate().getSpec().getVolumes().get(0).getProjected()
                .getSources().get(1).getSecret().getItems().get(0);
        assertEquals("creds", item.getKey());
        assertEquals("users.json", item.getPath(), "any key lands where nats.conf looks");
    }

    @Test
    void passwordChangeChangesTheConfigHash() throws Exception {
        String spec = "auth:\n  secretRef:\n    name: meshery-broker-auth\n";
        BrokerCluster a = cluster(spec, USERS, null);
        BrokerCluster b = cluster(spec, secret("meshery-broker-auth",
                Map.of("users.json", "{\"users\":[{\"user\":\"meshery\",\"password\":\"other\"}]}")), null);
        assertEquals(a.natsConf(), b.natsConf());
        assertNotEquals(a.configHash(), b.configHash());
        assertNotEquals(
                a.generateStatefulSet().getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH),
                b.generateStatefulSet().getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH));
    }

    @Test
    void configChangeChangesTheHashAndNothingElseDoes() throws Exception {
        assertEquals(cluster("size: 1\n").configHash(), cluster("size: 1\n").configHash());
        assertNotEquals(cluster("size: 1\n").configHash(), cluster("config: {maxConnections: 10}\n").configHash());
        assertEquals(cluster("service: {type: ClusterIP}\n").configHash(), cluster("size: 1\n").configHash(),
                "the Service type does not restart pods");
    }

    @Test
    void tlsIsMountedFromTheSecretAndConfigured() throws Exception {
        BrokerCluster c = cluster("tls:\n  enabled: true\n  secretName: meshery-broker-tls\n  verify: true\n", null, TLS);
        String conf = c.natsConf();
        assertTrue(conf.contains("tls {\n  cert_file: \"/etc/meshery-broker/tls/tls.crt\"\n"
                + "  key_file: \"/etc/meshery-broker/tls/tls.key\"\n  ca_file: \"/etc/meshery-broker/tls/ca.crt\"\n"
                + "  verify: true\n  timeout: 2\n}\n"), conf);
        VolumeProjection tls = c.generateStatefulSet().getSpec().getTemplate().getSpec().getVolumes().get(0)
                .getProjected().getSources().get(1);
        assertEquals("meshery-broker-tls", tls.getSecret().getName());
        assertEquals(List.of("tls/tls.crt", "tls/tls.key", "tls/ca.crt"),
                tls.getSecret().getItems().stream().map(i -> i.getPath()).toList());
    }

    @Test
    void tlsWithoutCaHasNoCaFile() throws Exception {
        BrokerCluster c = cluster("tls: {enabled: true, secretName: t}\n", null,
                secret("t", Map.of("tls.crt", "C", "tls.key", "K")));
        assertFalse(c.natsConf().contains("ca_file"));
    }

    @Test
    void resourcesAreCopiedToTheContainer() throws Exception {
        Container ct = container(cluster("resources:\n  requests: {memory: 256Mi, cpu: 100m}\n"
                + "  limits: {memory: 1Gi, cpu: 500m}\n").generateStatefulSet());
        assertEquals(new Quantity("256Mi"), ct.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("500m"), ct.getResources().getLimits().get("cpu"));
    }

    @Test
    void imageComesFromVersionOrImage() throws Exception {
        assertEquals("meshery/meshery-broker:0.2.0", cluster("version: 0.2.0\n").image());
        assertEquals("registry.local/broker@sha256:abc", cluster("version: 0.2.0\nimage: registry.local/broker@sha256:abc\n")
                .image());
    }

    @Test
    void serviceTypeAnnotationsAndLoadBalancerSettings() throws Exception {
        Service lb = cluster("service:\n  annotations: {a: b}\n  loadBalancerClass: metallb\n"
                + "  loadBalancerSourceRanges: [10.0.0.0/8]\n").generateClientService();
        assertEquals(Map.of("a", "b"), lb.getMetadata().getAnnotations());
        assertEquals("metallb", lb.getSpec().getLoadBalancerClass());
        assertEquals(List.of("10.0.0.0/8"), lb.getSpec().getLoadBalancerSourceRanges());
        Service np = cluster("service:\n  type: NodePort\n  loadBalancerClass: metallb\n").generateClientService();
        assertEquals("NodePort", np.getSpec().getType());
        assertNull(np.getSpec().getLoadBalancerClass(), "only for LoadBalancer");
        assertEquals("ClusterIP", cluster("service: {type: ClusterIP}\n").generateClientService().getSpec().getType());
    }

    @Test
    void networkPolicyFollowsTheSeedAndLetsClusterPeersIn() throws Exception {
        NetworkPolicy np = cluster("clustering: {enabled: true}\nnetworkPolicy:\n  enabled: true\n  allowedClients:\n"
                + "  - podLabels: {app: meshery-meshsync}\n  - cidr: 10.0.0.0/8\n").generateNetworkPolicy();
        assertEquals(Labels.selector("meshery-broker"), np.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
        var clients = np.getSpec().getIngress().get(0);
        assertEquals(Map.of("app", "meshery-meshsync"), clients.getFrom().get(0).getPodSelector().getMatchLabels());
        assertEquals("10.0.0.0/8", clients.getFrom().get(1).getIpBlock().getCidr());
        assertEquals(List.of(4222, 8222), clients.getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
        var peers = np.getSpec().getIngress().get(1);
        assertEquals(Labels.selector("meshery-broker"), peers.getFrom().get(0).getPodSelector().getMatchLabels());
        assertTrue(peers.getPorts() == null || peers.getPorts().isEmpty(),
                "the broker's pods reach each other on any port (the route streams' port is any free one)");
    }

    @Test
    void podDisruptionBudgetWhenAsked() throws Exception {
        PodDisruptionBudget pdb = cluster("size: 3\npodDisruptionBudget: {enabled: true}\n").generatePodDisruptionBudget();
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
        assertEquals(Labels.selector("meshery-broker"), pdb.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void invalidSpecIsRefusedWithEveryProblem() {
        InvalidBrokerException e = assertThrows(InvalidBrokerException.class,
                () -> cluster("size: 0\ntls: {enabled: true}\njetstream: {storageSize: lots}\n"));
        assertEquals(InvalidBrokerException.INVALID_SPEC, e.reason());
        assertEquals(3, e.problems().size(), e.problems().toString());
    }

    @Test
    void missingOrBrokenSecretsAreReported() {
        InvalidBrokerException missing = assertThrows(InvalidBrokerException.class,
                () -> cluster("auth: {secretRef: {name: nope}}\n"));
        assertEquals(InvalidBrokerException.SECRET_NOT_FOUND, missing.reason());
        InvalidBrokerException noKey = assertThrows(InvalidBrokerException.class,
                () -> cluster("auth: {secretRef: {name: a}}\n", secret("a", Map.of("other", "x")), null));
        assertEquals(InvalidBrokerException.SECRET_INVALID, noKey.reason());
        InvalidBrokerException noCert = assertThrows(InvalidBrokerException.class,
                () -> cluster("tls: {enabled: true, secretName: t}\n", null, secret("t", Map.of("tls.key", "k"))));
        assertTrue(noCert.getMessage().contains("tls.crt"));
    }

    @Test
    void nullSpecMeansDefaults() throws Exception {
        Broker b = broker("ns", "b", null);
        b.setSpec(null);
        BrokerCluster c = BrokerCluster.fromCrd(b, null, null, SETTINGS);
        assertEquals(BrokerSpec.empty(), c.spec());
        assertEquals(1, c.generateStatefulSet().getSpec().getReplicas());
    }
}
