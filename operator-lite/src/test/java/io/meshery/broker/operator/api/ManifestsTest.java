package io.meshery.broker.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshery.broker.operator.TestSupport;
import io.meshery.broker.operator.model.BrokerCluster;
import io.meshery.broker.operator.model.OperatorSettings;
import io.meshery.broker.operator.model.SpecValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every manifest under k8s/ parses into the right fabric8 type; sample Brokers pass the CRD schema and the
 * operator's own checks (and invalid ones fail); the plain manifests and the operator's RBAC hang together.
 */
class ManifestsTest {
    static final KubernetesSerialization SER = new KubernetesSerialization();
    static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
            Map.entry("Namespace", Namespace.class), Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class), Map.entry("Service", Service.class),
            Map.entry("ServiceAccount", ServiceAccount.class), Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("Deployment", Deployment.class), Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("ClusterRole", ClusterRole.class), Map.entry("ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("Role", Role.class), Map.entry("RoleBinding", RoleBinding.class),
            Map.entry("CustomResourceDefinition", CustomResourceDefinition.class), Map.entry("Broker", Broker.class));

    static SchemaValidator validator;

    @BeforeAll
    static void setUp() {
        SER.registerKubernetesResource(Broker.class);
        validator = new SchemaValidator(SER.unmarshal(TestSupport.read(TestSupport.CRD_FILE),
                CustomResourceDefinition.class), SER);
    }

    record Doc(Path file, String text, HasMetadata object) {}

    /** Every YAML document under k8s/, parsed. */
    static List<Doc> docs(String dir) throws IOException {
        List<Doc> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TestSupport.repoRoot().resolve(dir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
                    .toList()) {
                for (String text : Files.readString(f).split("(?m)^---\\s*$")) {
                    if (text.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                        continue;
                    }
                    out.add(new Doc(f, text, SER.unmarshal(text, HasMetadata.class)));
                }
            }
        }
        return out;
    }

    static <T> List<T> ofType(List<Doc> docs, Class<T> type) {
        return docs.stream().map(Doc::object).filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void everyManifestParsesIntoItsFabric8Type() throws IOException {
        List<Doc> all = docs("k8s");
        assertTrue(all.size() >= 20, "found " + all.size());
        for (Doc d : all) {
            HasMetadata o = d.object();
            assertFalse(o instanceof GenericKubernetesResource, d.file() + ": unknown kind " + o.getKind());
            assertEquals(TYPES.get(o.getKind()), o.getClass(), d.file() + ": " + o.getKind());
            assertNotNull(o.getMetadata().getName(), d.file() + ": a name");
        }
    }

    @Test
    void sampleBrokersPassTheSchemaAndTheOperatorsChecks() throws Exception {
        List<Doc> samples = docs("k8s/samples");
        List<Secret> secrets = ofType(samples, Secret.class);
        int brokers = 0;
        for (Doc d : samples) {
            if (!(d.object() instanceof Broker b)) {
                continue;
            }
            brokers++;
            SchemaValidator.Result r = validator.validate(SER.unmarshal(d.text(), Map.class));
            assertEquals(List.of(), r.problems(), d.file().toString());
            assertEquals(List.of(), SpecValidator.validate(b), d.file().toString());
            Secret auth = b.getSpec().auth() == null ? null : secrets.stream()
                    .filter(s -> s.getMetadata().getName().equals(b.getSpec().auth().secretRef().name())).findFirst()
                    .map(ManifestsTest::asData).orElseThrow();
            Secret tls = b.getSpec().tls().enabled() ? asData(new io.fabric8.kubernetes.api.model.SecretBuilder()
                    .withStringData(Map.of("tls.crt", "c", "tls.key", "k")).build()) : null;
            b.getMetadata().setUid("uid");
            BrokerCluster c = BrokerCluster.fromCrd(b, auth, tls, OperatorSettings.defaults());
            assertNotNull(c.generateStatefulSet());
        }
        assertEquals(8, brokers);
    }

    static Secret asData(Secret s) {
        Map<String, String> data = new TreeMap<>();
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> data.put(k, java.util.Base64.getEncoder().encodeToString(v.getBytes())));
        }
        s.setData(data);
        s.setStringData(null);
        return s;
    }

    @Test
    void samplesCoverEverySeedExample() throws IOException {
        Map<String, Broker> byFile = new TreeMap<>();
        for (Doc d : docs("k8s/samples")) {
            if (d.object() instanceof Broker b) {
                byFile.put(d.file().getFileName().toString(), b);
            }
        }
        assertEquals(1, byFile.get("broker-basic.yaml").getSpec().size());
        assertEquals("meshery", byFile.get("broker-basic.yaml").getMetadata().getNamespace());
        assertEquals(3, byFile.get("broker-clustered.yaml").getSpec().size());
        assertTrue(byFile.get("broker-clustered.yaml").getSpec().clustering().enabled());
        JetStreamSpec js = byFile.get("broker-jetstream.yaml").getSpec().jetstream();
        assertEquals(new JetStreamSpec(true, "standard", "10Gi"), js);
        assertEquals("meshery-broker-auth", byFile.get("broker-auth.yaml").getSpec().auth().secretRef().name());
        assertEquals(new TlsSpec(true, "meshery-broker-tls", false), byFile.get("broker-tls.yaml").getSpec().tls());
        assertEquals("1Gi", byFile.get("broker-resources.yaml").getSpec().resources().getLimits().get("memory").toString());
        assertEquals(ServiceType.ClusterIP, byFile.get("broker-clusterip.yaml").getSpec().service().type());
        assertEquals("broker.example.com:4222",
                byFile.get("broker-service.yaml").getSpec().service().externalEndpointOverride());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "size: 0|spec.size: must be at least 1.0",
            "size: 11|spec.size: must be at most 10.0",
            "size: three|spec.size: must be of type integer",
            "service: {type: Ingress}|spec.service.type: must be one of",
            "jetstream: {enabled: true, storageSize: ten gigs}|spec.jetstream.storageSize: must match",
            "sise: 3|spec.sise: unknown field",
            "auth: {}|spec.auth.secretRef: required",
            "auth: {secretRef: {key: users.json}}|spec.auth.secretRef.name: required",
            "auth: {secretRef: {name: Not_A_Name}}|spec.auth.secretRef.name: must match",
            "auth: {secretRef: {name: a, key: 'users/json'}}|spec.auth.secretRef.key: must match",
            "config: {maxConnections: 0}|spec.config.maxConnections: must be at least 1.0",
            "config: {lameDuckDuration: soon}|spec.config.lameDuckDuration: must match",
            "version: 'two words'|spec.version: must match",
            "service: {externalEndpointOverride: 'nats://x:4222'}|spec.service.externalEndpointOverride: must match",
            "podDisruptionBudget: {maxUnavailable: -1}|spec.podDisruptionBudget.maxUnavailable: must be at least",
            "clustering: {enabled: 'yes'}|spec.clustering.enabled: must be of type boolean"})
    void invalidBrokersAreRejectedByTheSchema(String spec, String expected) {
        String yaml = "apiVersion: meshery.io/v1alpha1\nkind: Broker\nmetadata: {name: b, namespace: n}\nspec:\n"
                + spec.indent(2);
        List<String> problems = validator.validate(SER.unmarshal(yaml, Map.class)).problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), expected + " in " + problems);
    }

    @Test
    void schemaDefaultsAreTheJavaDefaults() {
        for (String spec : List.of("{}", "service: {type: ClusterIP}", "jetstream: {enabled: true}",
                "config: {debug: true}", "auth: {secretRef: {name: a}}", "networkPolicy: {allowedClients: [{cidr: 10.0.0.0/8}]}")) {
            String yaml = "apiVersion: meshery.io/v1alpha1\nkind: Broker\nmetadata: {name: b, namespace: n}\nspec:\n"
                    + ("{}".equals(spec) ? "  {}\n" : spec.indent(2));
            Map<?, ?> bySchema = (Map<?, ?>) validator.validate(SER.unmarshal(yaml, Map.class)).defaulted().get("spec");
            Map<?, ?> byJava = SER.convertValue(SER.unmarshal(yaml, Broker.class).getSpec(), Map.class);
            assertEquals(withoutEmpty(byJava), withoutEmpty(bySchema), spec);
        }
    }

    /** Drops empty maps and lists, which the Java records use for "none". */
    static Object withoutEmpty(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new TreeMap<>();
            m.forEach((k, v) -> {
                Object w = withoutEmpty(v);
                if (!(w instanceof Map<?, ?> wm && wm.isEmpty()) && !(w instanceof List<?> wl && wl.isEmpty())) {
                    out.put(k, w);
                }
            });
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(ManifestsTest::withoutEmpty).toList();
        }
        return o;
    }

    @Test
    void plainManifestsHangTogether() throws IOException {
        List<Doc> plain = docs("k8s/plain");
        StatefulSet sts = ofType(plain, StatefulSet.class).get(0);
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(sts.getSpec().getSelector().getMatchLabels().entrySet()));
        assertEquals("meshery-broker", podLabels.get("app"), "the seed's kubectl -l app=meshery-broker");
        var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        Set<String> containerPorts = Set.copyOf(container.getPorts().stream().map(p -> p.getName()).toList());
        Set<Integer> containerNumbers = Set.copyOf(container.getPorts().stream().map(p -> p.getContainerPort()).toList());
        List<Service> services = ofType(plain, Service.class);
        assertEquals(2, services.size());
        for (Service s : services) {
            assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), s.getMetadata().getName());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertTrue(containerPorts.contains(p.getName()) && containerNumbers.contains(p.getTargetPort().getIntVal()),
                        p.getName());
            }
        }
        Service client = services.stream().filter(s -> s.getMetadata().getName().equals("meshery-broker")).findFirst()
                .orElseThrow();
        assertEquals("LoadBalancer", client.getSpec().getType());
        assertEquals(sts.getSpec().getServiceName(), services.stream()
                .filter(s -> "None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow().getMetadata().getName());
        ConfigMap cm = ofType(plain, ConfigMap.class).get(0);
        assertEquals(cm.getMetadata().getName(), sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow().getConfigMap().getName());
        assertTrue(cm.getData().get("nats.conf").contains("pid_file: \"/var/run/meshery-broker/broker.pid\""));
        assertTrue(String.join(" ", container.getLifecycle().getPreStop().getExec().getCommand())
                .contains("--signal ldm=/var/run/meshery-broker/broker.pid"));
        NetworkPolicy np = ofType(plain, NetworkPolicy.class).get(0);
        assertTrue(podLabels.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals("meshery-broker-policy", np.getMetadata().getName());
    }

    @Test
    void operatorInstallIsLeastPrivilegeAndCoversWhatTheReconcilerWrites() throws IOException {
        List<Doc> op = docs("k8s/operator");
        Deployment d = ofType(op, Deployment.class).get(0);
        ServiceAccount sa = ofType(op, ServiceAccount.class).get(0);
        assertEquals(sa.getMetadata().getName(), d.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertTrue(d.getSpec().getReplicas() >= 2, "a standby replica behind leader election");
        List<PolicyRule> rules = new ArrayList<>(ofType(op, ClusterRole.class).get(0).getRules());
        rules.addAll(ofType(op, Role.class).get(0).getRules());
        for (PolicyRule r : rules) {
            assertFalse(r.getVerbs().contains("*") || r.getResources().contains("*") || r.getApiGroups().contains("*"),
                    "no wildcards: " + r);
        }
        for (String[] need : new String[][] {
                {"meshery.io", "brokers", "watch"}, {"meshery.io", "brokers/status", "update"},
                {"apps", "statefulsets", "update"}, {"apps", "statefulsets", "delete"}, {"", "services", "create"},
                {"", "configmaps", "update"}, {"", "secrets", "get"}, {"", "persistentvolumeclaims", "patch"},
                {"networking.k8s.io", "networkpolicies", "delete"}, {"policy", "poddisruptionbudgets", "watch"},
                {"coordination.k8s.io", "leases", "patch"}, {"coordination.k8s.io", "leases", "create"}}) {
            assertTrue(rules.stream().anyMatch(r -> r.getApiGroups().contains(need[0]) && r.getResources().contains(need[1])
                    && r.getVerbs().contains(need[2])), String.join(" ", need));
        }
        assertFalse(rules.stream().anyMatch(r -> r.getResources().contains("pods")), "no pod access needed");
        assertEquals(List.of(List.of("get")), rules.stream().filter(r -> r.getResources().contains("secrets"))
                .map(PolicyRule::getVerbs).toList(), "Secrets: only get, only the ones a Broker names");
        var binding = ofType(op, ClusterRoleBinding.class).get(0);
        assertEquals(sa.getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertEquals(sa.getMetadata().getNamespace(), binding.getSubjects().get(0).getNamespace());
    }

    @Test
    void dockerfilesMatchTheLayoutTheManifestsUse() {
        String broker = TestSupport.read("k8s/Dockerfile.broker");
        assertTrue(broker.contains("COPY broker-node/target/broker-node.jar /opt/meshery-broker/broker-node.jar"));
        assertTrue(broker.contains("COPY broker-node/target/lib/ /opt/meshery-broker/lib/"));
        assertTrue(broker.contains("COPY bin/meshery-broker " + BrokerCluster.LAUNCHER));
        assertTrue(broker.contains("USER " + BrokerCluster.RUN_AS + ":" + BrokerCluster.RUN_AS));
        assertTrue(broker.contains("MESHERY_BROKER_HOME=" + BrokerCluster.HOME));
        String operator = TestSupport.read("k8s/Dockerfile.operator");
        assertTrue(operator.contains(io.meshery.broker.operator.Main.class.getName()));
        assertTrue(operator.contains("operator-lite/target/operator-lite.jar"));
        assertTrue(operator.contains("operator-lite/target/lib/"));
    }
}
