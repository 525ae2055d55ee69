package io.meshery.broker.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.meshery.broker.operator.api.AllowedClient;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.api.ServiceType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects one Broker becomes. Built by {@link #fromCrd}, which validates the Broker and reads the Secrets it
 * refers to; each {@code generate*} method then returns a fresh desired object, or {@code null} when that object
 * should not exist (the reconciler deletes it). Every object carries the Broker as controlling owner, so deleting
 * the Broker lets the garbage collector remove them.
 *
 * <p>Files in the broker container: the projected volume at {@value #CONFIG_DIR} holds {@code nats.conf} (from
 * the ConfigMap), {@code users.json} (the key {@code spec.auth.secretRef.key} of the user's auth Secret, when
 * auth is on) and {@code tls/tls.crt}, {@code tls/tls.key}, {@code tls/ca.crt} (from the user's TLS Secret, when
 * TLS is on). nats.conf names users.json in {@code authorization { users_file }}, which the node reads itself, so
 * no credential is ever copied: not into the ConfigMap, not into a Secret of the operator's.
 */
public final class BrokerCluster {
    public static final String CONTAINER = "broker";
    public static final String HOME = "/opt/meshery-broker";
    public static final String LAUNCHER = HOME + "/bin/meshery-broker";
    public static final String CONFIG_DIR = "/etc/meshery-broker";
    public static final String CONFIG_FILE = CONFIG_DIR + "/nats.conf";
    public static final String CONFIG_KEY = "nats.conf";
    /** The auth Secret's key is projected under this name; nats.conf's {@code authorization.users_file}. */
    public static final String USERS_FILE_NAME = "users.json";
    public static final String USERS_FILE = CONFIG_DIR + "/" + USERS_FILE_NAME;
    public static final String TLS_DIR = CONFIG_DIR + "/tls";
    public static final String PID_DIR = "/var/run/meshery-broker";
    public static final String PID_FILE = PID_DIR + "/broker.pid";
    public static final String DATA_DIR = "/data";
    public static final String STORE_DIR = DATA_DIR + "/jetstream";
    /** Non-root user and group of the broker image (k8s/Dockerfile.broker). */
    public static final long RUN_AS = 10001L;
    /** How many pods serve as cluster seed members (routes): scaling beyond this does not change nats.conf. */
    public static final int MAX_SEEDS = 3;

    private static final String VOLUME_CONFIG = "config";
    private static final String VOLUME_PID = "pid";
    private static final String VOLUME_TMP = "tmp";
    private static final String TLS_CRT = "tls.crt";
    private static final String TLS_KEY = "tls.key";
    private static final String CA_CRT = "ca.crt";

    private final String name;
    private final String namespace;
    private final BrokerSpec spec;
    private final OwnerReference owner;
    private final OperatorSettings settings;
    private final boolean tlsHasCa;
    private final String natsConf;
    private final String configHash;

    private BrokerCluster(Broker broker, BrokerSpec spec, OperatorSettings settings, String usersJson,
            Map<String, String> tls) {
        this.name = broker.getMetadata().getName();
        this.namespace = broker.getMetadata().getNamespace();
        this.spec = spec;
        this.owner = new OwnerReferenceBuilder()
                .withApiVersion(Broker.API_VERSION)
                .withKind(Broker.KIND)
                .withName(name)
                .withUid(broker.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
        this.settings = settings;
        this.tlsHasCa = tls.containsKey(CA_CRT);
        this.natsConf = renderNatsConf();
        String usersDigest = usersJson == null ? "" : digest(usersJson);
        String tlsDigest = tls.isEmpty() ? "" : digest(new TreeMap<>(tls).toString());
        this.configHash = digest(natsConf + "\u0000" + usersDigest + "\u0000" + tlsDigest);
    }

    /**
     * Reads a Broker and the Secrets it names.
     *
     * @param authSecret the Secret named by {@code spec.auth.secretRef}, or null when auth is off
     * @param tlsSecret the Secret named by {@code spec.tls.secretName}, or null when TLS is off
     * @throws InvalidBrokerException when the spec or a Secret cannot be used; nothing should be changed then
     */
    public static BrokerCluster fromCrd(Broker broker, Secret authSecret, Secret tlsSecret, OperatorSettings settings)
            throws InvalidBrokerException {
        List<String> problems = SpecValidator.validate(broker);
        if (!problems.isEmpty()) {
            throw new InvalidBrokerException(InvalidBrokerException.INVALID_SPEC, problems);
        }
        BrokerSpec spec = broker.getSpec() == null ? BrokerSpec.empty() : broker.getSpec();
        String ns = broker.getMetadata().getNamespace();
        String usersJson = null;
        Map<String, String> tls = Map.of();
        if (spec.auth() != null) {
            String secretName = spec.auth().secretRef().name();
            String key = spec.auth().secretRef().key();
            String source = "Secret " + ns + "/" + secretName + " key " + key;
            if (authSecret == null) {
                throw new InvalidBrokerException(InvalidBrokerException.SECRET_NOT_FOUND,
                        List.of("auth Secret " + ns + "/" + secretName + " not found"));
            }
            usersJson = decoded(authSecret).get(key);
            if (usersJson == null) {
                throw new InvalidBrokerException(InvalidBrokerException.SECRET_INVALID, List.of(source + " is missing"));
            }
            UsersFile.check(usersJson, source);
        }
        if (spec.tls().enabled()) {
            String secretName = spec.tls().secretName();
            if (tlsSecret == null) {
                throw new InvalidBrokerException(InvalidBrokerException.SECRET_NOT_FOUND,
                        List.of("TLS Secret " + ns + "/" + secretName + " not found"));
            }
            tls = decoded(tlsSecret);
            List<String> missing = new ArrayList<>();
            for (String k : List.of(TLS_CRT, TLS_KEY)) {
                if (!tls.containsKey(k)) {
                    missing.add("TLS Secret " + ns + "/" + secretName + " has no " + k);
                }
            }
            if (spec.tls().verify() && !tls.containsKey(CA_CRT)) {
                missing.add("TLS Secret " + ns + "/" + secretName + " has no ca.crt, needed by tls.verify");
            }
            if (!missing.isEmpty()) {
                throw new InvalidBrokerException(InvalidBrokerException.SECRET_INVALID, missing);
            }
        }
        return new BrokerCluster(broker, spec, settings, usersJson, tls);
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return namespace;
    }

    public BrokerSpec spec() {
        return spec;
    }

    /** The generated nats.conf. */
    public String natsConf() {
        return natsConf;
    }

    /** Digest of everything the pods read from files: nats.conf, users.json and the TLS Secret. */
    public String configHash() {
        return configHash;
    }

    public String image() {
        if (spec.image() != null) {
            return spec.image();
        }
        String tag = spec.version() != null ? spec.version() : settings.defaultVersion();
        return settings.imageRepository() + ":" + tag;
    }

    /** The cluster's seed members: the first pods' stable DNS names. */
    public List<String> routes() {
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < Math.min(spec.size(), MAX_SEEDS); i++) {
            routes.add("nats://" + ResourceNames.podHost(name, namespace, i, settings.clusterDomain()) + ":"
                    + Ports.CLUSTER);
        }
        return routes;
    }

    // ---------------------------------------------------------------------------------------------- nats.conf

    private String renderNatsConf() {
        NatsConf c = new NatsConf()
                .comment("Generated by meshery-broker operator-lite for Broker " + namespace + "/" + name
                        + ". Edits are overwritten.")
                .raw("port", Ports.CLIENT)
                .raw("http_port", Ports.MONITOR)
                .raw("server_name", "$POD_NAME")
                .string("pid_file", PID_FILE)
                .raw("max_payload", bytes(spec.config().maxPayload()))
                .raw("max_connections", spec.config().maxConnections())
                .string("lame_duck_duration", spec.config().lameDuckDuration())
                .string("lame_duck_grace_period", spec.config().lameDuckGracePeriod())
                .raw("debug", spec.config().debug())
                .raw("trace", spec.config().trace())
                .raw("logtime", spec.config().logtime());
        if (spec.clustering().enabled()) {
            c.open("cluster")
                    .string("name", name)
                    .raw("port", Ports.CLUSTER)
                    .stringArray("routes", routes())
                    .close();
        }
        if (spec.jetstream().enabled()) {
            c.open("jetstream")
                    .string("store_dir", STORE_DIR)
                    .raw("max_file_store", bytes(spec.jetstream().storageSize()))
                    .close();
        }
        if (spec.tls().enabled()) {
            c.open("tls")
                    .string("cert_file", TLS_DIR + "/" + TLS_CRT)
                    .string("key_file", TLS_DIR + "/" + TLS_KEY);
            if (tlsHasCa) {
                c.string("ca_file", TLS_DIR + "/" + CA_CRT);
            }
            c.raw("verify", spec.tls().verify()).raw("timeout", 2).close();
        }
        if (spec.auth() != null) {
            c.comment("Credentials: key " + spec.auth().secretRef().key() + " of Secret " + spec.auth().secretRef().name())
                    .open("authorization")
                    .string("users_file", USERS_FILE)
                    .close();
        }
        return c.toString();
    }

    // ---------------------------------------------------------------------------------------------- objects

    private ObjectMeta meta(String objectName) {
        return new ObjectMetaBuilder()
                .withName(objectName)
                .withNamespace(namespace)
                .withLabels(Labels.of(name))
                .withOwnerReferences(owner)
                .build();
    }

    private LabelSelector selector() {
        return new LabelSelectorBuilder().withMatchLabels(Labels.selector(name)).build();
    }

    public ConfigMap generateConfigMap() {
        return new ConfigMapBuilder()
                .withMetadata(meta(ResourceNames.configMap(name)))
                .withData(Map.of(CONFIG_KEY, natsConf))
                .build();
    }

    /** Name to number of the ports the broker listens on: client and monitor, with clustering also the cluster's. */
    private Map<String, Integer> ports(boolean withClusterPorts) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put(Ports.CLIENT_NAME, Ports.CLIENT);
        ports.put(Ports.MONITOR_NAME, Ports.MONITOR);
        if (withClusterPorts && spec.clustering().enabled()) {
            ports.put(Ports.CLUSTER_NAME, Ports.CLUSTER);
            ports.put(Ports.MANAGEMENT_NAME, Ports.MANAGEMENT);
        }
        return ports;
    }

    private List<ServicePort> servicePorts(boolean withClusterPorts) {
        List<ServicePort> ports = new ArrayList<>();
        ports(withClusterPorts).forEach((portName, port) -> ports.add(servicePort(portName, port)));
        return ports;
    }

    private static ServicePort servicePort(String portName, int port) {
        return new ServicePortBuilder()
                .withName(portName)
                .withPort(port)
                .withTargetPort(new IntOrString(portName))
                .withProtocol("TCP")
                .build();
    }

    /** The headless Service giving each pod a stable DNS name, published before the pod is ready. */
    public Service generateHeadlessService() {
        return new ServiceBuilder()
                .withMetadata(meta(ResourceNames.headlessService(name)))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(Labels.selector(name))
                .withPorts(servicePorts(true))
                .endSpec()
                .build();
    }

    /** The client Service of {@code spec.service.type} (LoadBalancer by default), named after the Broker. */
    public Service generateClientService() {
        ObjectMeta meta = meta(ResourceNames.clientService(name));
        if (!spec.service().annotations().isEmpty()) {
            meta.setAnnotations(new TreeMap<>(spec.service().annotations()));
        }
        ServiceType type = spec.service().type();
        boolean lb = type == ServiceType.LoadBalancer;
        return new ServiceBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withType(type.name())
                .withSelector(Labels.selector(name))
                .withPorts(servicePorts(false))
                .withLoadBalancerClass(lb ? spec.service().loadBalancerClass() : null)
                .withLoadBalancerSourceRanges(lb && !spec.service().loadBalancerSourceRanges().isEmpty()
                        ? spec.service().loadBalancerSourceRanges() : null)
                .endSpec()
                .build();
    }

    public StatefulSet generateStatefulSet() {
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        podAnnotations.put(Labels.CONFIG_HASH, configHash);
        StatefulSetBuilder b = new StatefulSetBuilder()
                .withMetadata(meta(ResourceNames.statefulSet(name)))
                .withNewSpec()
                .withReplicas(spec.size())
                .withServiceName(ResourceNames.headlessService(name))
                .withPodManagementPolicy("Parallel")
                .withSelector(selector())
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                // No persistentVolumeClaimRetentionPolicy: its default (Retain, Retain) is what we want, and API servers
                // before 1.27 drop the field, which would make every reconcile see a difference and write again.
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Labels.of(name))
                .withAnnotations(podAnnotations)
                .endMetadata()
                .withSpec(podSpec())
                .endTemplate()
                .endSpec();
        if (spec.jetstream().enabled()) {
            b.editSpec().withVolumeClaimTemplates(jetStreamClaimTemplate()).endSpec();
        }
        return b.build();
    }

    private PersistentVolumeClaim jetStreamClaimTemplate() {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(ResourceNames.JETSTREAM_CLAIM)
                .withLabels(Labels.of(name))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(spec.jetstream().storageClass())
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(spec.jetstream().storageSize())))
                .endResources()
                .endSpec()
                .build();
    }

    private PodSpec podSpec() {
        long ldm = Durations.seconds(spec.config().lameDuckDuration());
        long grace = Durations.seconds(spec.config().lameDuckGracePeriod());
        PodSpecBuilder pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(ldm + grace + 20)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS)
                .withRunAsGroup(RUN_AS)
                .withFsGroup(RUN_AS)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(LAUNCHER)
                .withArgs("-c", CONFIG_FILE)
                .withEnv(env())
                .withPorts(containerPorts())
                .withResources(spec.resources() == null ? null : new ResourceRequirements(
                        spec.resources().getClaims(), spec.resources().getLimits(), spec.resources().getRequests()))
                .withStartupProbe(probe("/healthz", 10, 90))
                .withReadinessProbe(probe("/healthz?js-server-only=true", 10, 3))
                .withLivenessProbe(probe("/healthz?js-enabled-only=true", 30, 3))
                .withNewLifecycle()
                .withNewPreStop()
                .withNewExec()
                // Lame duck: the node stops accepting clients and spreads closing them over lame_duck_duration;
                // the hook waits that long so the kubelet does not send SIGTERM in the middle of it.
                .withCommand("/bin/sh", "-c", LAUNCHER + " --signal ldm=" + PID_FILE + " && sleep " + (ldm + grace))
                .endExec()
                .endPreStop()
                .endLifecycle()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .withVolumeMounts(volumeMounts())
                .endContainer()
                .addToVolumes(new VolumeBuilder()
                        .withName(VOLUME_CONFIG)
                        .withNewProjected()
                        .withDefaultMode(0440)
                        .withSources(configSources())
                        .endProjected()
                        .build())
                .addToVolumes(new VolumeBuilder().withName(VOLUME_PID).withNewEmptyDir().endEmptyDir().build())
                .addToVolumes(new VolumeBuilder().withName(VOLUME_TMP).withNewEmptyDir().endEmptyDir().build());
        if (spec.size() > 1) {
            pod.withNewAffinity()
                    .withNewPodAntiAffinity()
                    .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                    .withWeight(100)
                    .withNewPodAffinityTerm()
                    .withTopologyKey("kubernetes.io/hostname")
                    .withLabelSelector(selector())
                    .endPodAffinityTerm()
                    .endPreferredDuringSchedulingIgnoredDuringExecution()
                    .endPodAntiAffinity()
                    .endAffinity();
        }
        return pod.build();
    }

    private List<EnvVar> env() {
        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef("POD_NAME", "metadata.name"));
        env.add(fieldRef("POD_NAMESPACE", "metadata.namespace"));
        env.add(new EnvVarBuilder().withName("MESHERY_BROKER_HOME").withValue(HOME).build());
        if (spec.jetstream().enabled()) {
            // the launcher's class data sharing archive on the volume, so a rescheduled pod starts with it too
            env.add(new EnvVarBuilder().withName("MESHERY_BROKER_CDS_DIR").withValue(DATA_DIR + "/cds").build());
        }
        // the heap: the node's launcher sizes it from the container's memory limit (half, at least 160 MiB left)
        StringBuilder javaOpts = new StringBuilder("-XX:+ExitOnOutOfMemoryError -XX:-UsePerfData");
        if (spec.clustering().enabled()) {
            // Pekko remoting must advertise the same stable name the seed routes use.
            javaOpts.append(" -Dpekko.remote.artery.canonical.hostname=$(POD_NAME).")
                    .append(ResourceNames.headlessService(name)).append(".$(POD_NAMESPACE).svc.")
                    .append(settings.clusterDomain());
            // pekko-management (read-only /cluster/members, /alive, /ready) on the port the pod declares for it
            javaOpts.append(" -Dpekko.management.http.port=").append(Ports.MANAGEMENT);
        }
        env.add(new EnvVarBuilder().withName("JAVA_OPTS").withValue(javaOpts.toString()).build());
        return env;
    }

    private static EnvVar fieldRef(String var, String path) {
        return new EnvVarBuilder().withName(var).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }

    private List<ContainerPort> containerPorts() {
        List<ContainerPort> ports = new ArrayList<>();
        ports(true).forEach((portName, port) -> ports.add(containerPort(portName, port)));
        return ports;
    }

    private static ContainerPort containerPort(String portName, int port) {
        return new ContainerPortBuilder().withName(portName).withContainerPort(port).withProtocol("TCP").build();
    }

    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        HTTPGetAction get = new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(Ports.MONITOR_NAME))
                .build();
        return new ProbeBuilder()
                .withHttpGet(get)
                .withInitialDelaySeconds(10)
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private List<VolumeMount> volumeMounts() {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName(VOLUME_CONFIG).withMountPath(CONFIG_DIR).withReadOnly(true)
                .build());
        mounts.add(new VolumeMountBuilder().withName(VOLUME_PID).withMountPath(PID_DIR).build());
        mounts.add(new VolumeMountBuilder().withName(VOLUME_TMP).withMountPath("/tmp").build());
        if (spec.jetstream().enabled()) {
            mounts.add(new VolumeMountBuilder().withName(ResourceNames.JETSTREAM_CLAIM).withMountPath(DATA_DIR).build());
        }
        return mounts;
    }

    private List<VolumeProjection> configSources() {
        List<VolumeProjection> sources = new ArrayList<>();
        sources.add(new VolumeProjectionBuilder().withNewConfigMap()
                .withName(ResourceNames.configMap(name))
                .withItems(item(CONFIG_KEY, CONFIG_KEY))
                .endConfigMap().build());
        if (spec.auth() != null) {
            sources.add(new VolumeProjectionBuilder().withNewSecret()
                    .withName(spec.auth().secretRef().name())
                    .withItems(item(spec.auth().secretRef().key(), USERS_FILE_NAME))
                    .endSecret().build());
        }
        if (spec.tls().enabled()) {
            List<KeyToPath> items = new ArrayList<>();
            items.add(item(TLS_CRT, "tls/" + TLS_CRT));
            items.add(item(TLS_KEY, "tls/" + TLS_KEY));
            if (tlsHasCa) {
                items.add(item(CA_CRT, "tls/" + CA_CRT));
            }
            sources.add(new VolumeProjectionBuilder().withNewSecret()
                    .withName(spec.tls().secretName())
                    .withItems(items)
                    .endSecret().build());
        }
        return sources;
    }

    private static KeyToPath item(String key, String path) {
        return new KeyToPathBuilder().withKey(key).withPath(path).build();
    }

    /** The NetworkPolicy, or null unless {@code spec.networkPolicy.enabled}. */
    public NetworkPolicy generateNetworkPolicy() {
        if (!spec.networkPolicy().enabled()) {
            return null;
        }
        List<NetworkPolicyPeer> clients = new ArrayList<>();
        for (AllowedClient c : spec.networkPolicy().allowedClients()) {
            NetworkPolicyPeerBuilder peer = new NetworkPolicyPeerBuilder();
            if (c.cidr() != null) {
                peer.withNewIpBlock().withCidr(c.cidr()).endIpBlock();
            } else {
                if (c.podLabels() != null) {
                    peer.withNewPodSelector().withMatchLabels(new TreeMap<>(c.podLabels())).endPodSelector();
                }
                if (c.namespaceLabels() != null) {
                    peer.withNewNamespaceSelector().withMatchLabels(new TreeMap<>(c.namespaceLabels()))
                            .endNamespaceSelector();
                }
            }
            clients.add(peer.build());
        }
        if (clients.isEmpty()) {
            // Any pod of the Broker's own namespace.
            clients.add(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build());
        }
        List<NetworkPolicyIngressRule> rules = new ArrayList<>();
        rules.add(new NetworkPolicyIngressRuleBuilder()
                .withFrom(clients)
                .withPorts(policyPort(Ports.CLIENT), policyPort(Ports.MONITOR))
                .build());
        if (spec.clustering().enabled()) {
            // The broker's own pods reach each other on every port: the cluster port, pekko-management's, and the
            // port each node takes for its route streams (any free one, announced to the others; docs/cluster.md).
            rules.add(new NetworkPolicyIngressRuleBuilder()
                    .withFrom(new NetworkPolicyPeerBuilder().withPodSelector(selector()).build())
                    .build());
        }
        return new NetworkPolicyBuilder()
                .withMetadata(meta(ResourceNames.networkPolicy(name)))
                .withNewSpec()
                .withPodSelector(selector())
                .withPolicyTypes("Ingress")
                .withIngress(rules)
                .endSpec()
                .build();
    }

    private static NetworkPolicyPort policyPort(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
    }

    /** The PodDisruptionBudget, or null unless {@code spec.podDisruptionBudget.enabled}. */
    public PodDisruptionBudget generatePodDisruptionBudget() {
        if (!spec.podDisruptionBudget().enabled()) {
            return null;
        }
        return new PodDisruptionBudgetBuilder()
                .withMetadata(meta(ResourceNames.podDisruptionBudget(name)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(spec.podDisruptionBudget().maxUnavailable()))
                .withSelector(selector())
                .endSpec()
                .build();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** A Kubernetes quantity as a whole number of bytes, as the node's config reader takes it. */
    static BigInteger bytes(String quantity) {
        return Quantity.getAmountInBytes(Quantity.parse(quantity)).toBigInteger();
    }

    private static Map<String, String> decoded(Secret secret) {
        Map<String, String> out = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getMimeDecoder().decode(v),
                    StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            out.putAll(secret.getStringData());
        }
        return out;
    }

    static String digest(String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
