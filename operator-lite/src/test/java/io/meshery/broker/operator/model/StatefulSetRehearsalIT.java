package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What the operator deploys, rehearsed on one machine: the nats.conf and JAVA_OPTS it generates for a 3-pod
 * clustered Broker, run by three node processes as pods 0, 1 and 2. The pods' headless-Service DNS names (the
 * routes and Pekko's canonical host) resolve, through a hosts file of the test's own ({@code jdk.net.hosts.file}),
 * to three loopback addresses, one per pod, where each binds the StatefulSet's fixed ports (4222, 8222, 6222,
 * 8558) as a pod binds its own IP. The cluster forms, carries messages, answers the probes and pekko-management, and
 * a pod killed and restarted with its name and data rejoins.
 */
class StatefulSetRehearsalIT {

    private static final Duration START = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] POD_PORTS = {Ports.CLIENT, Ports.MONITOR, Ports.CLUSTER, Ports.MANAGEMENT};

    @TempDir
    Path dir;
    private final Process[] pods = new Process[3];
    private boolean jetStream;
    private Path conf;
    private String javaOpts;
    private Path hostsFile;
    private String[] ips;

    @AfterEach
    void stopPods() {
        for (Process p : pods) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void theGeneratedConfigurationFormsOneClusterAndARestartedPodRejoins() throws Exception {
        startThreePods("size: 3\nclustering: {enabled: true}\n");
        for (int i = 0; i < 3; i++) {
            int pod = i; // routes can come up a moment before a pod sees itself Up, which /healthz waits for
            await(Duration.ofSeconds(20), "pod " + i + " healthy", () -> "ok".equals(
                get(pod, Ports.MONITOR, "/healthz?js-server-only=true").path("status").asText()));
            JsonNode members = get(i, Ports.MANAGEMENT, "/cluster/members");
            assertEquals(3, members.path("members").size(), members.toString());
            assertTrue(members.path("selfNode").asText().contains("@" + podHost(i) + ":6222"), members.toString());
        }
        try (Connection sub = Nats.connect(options(2)); Connection pub = Nats.connect(options(0))) {
            assertEquals(3, pub.getServerInfo().getConnectURLs().size(), pub.getServerInfo().toString());
            Subscription s = sub.subscribe("meshery.meshsync.>");
            sub.flush(Duration.ofSeconds(5));
            await(Duration.ofSeconds(10), "pod 0 to know the subscriber on pod 2",
                () -> get(0, Ports.MONITOR, "/routez?subs=1").toString().contains("meshery.meshsync.>"));
            pub.publish("meshery.meshsync.event", "pod".getBytes());
            Message m = s.nextMessage(Duration.ofSeconds(10));
            assertNotNull(m, "a message from pod 0 to a subscriber on pod 2");
        }
        for (int i = 0; i < 3; i++) {
            // the route streams' ports (any free one, announced) are reachable between the pods' addresses
            int pod = i;
            await(Duration.ofSeconds(10), "pod " + i + " to send to both others over route streams", () ->
                podLog(pod).split("messages go over a stream connection", -1).length - 1 == 2);
        }

        pods[1].destroyForcibly().waitFor();
        await(Duration.ofSeconds(30), "pods 0 and 2 to drop pod 1", () -> routes(0) == 1 && routes(2) == 1);
        pods[1] = startPod(1);
        await(START, "pod 1 to rejoin", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
    }

    /**
     * The generated configuration with JetStream: an R3 stream stays writable through a rolling restart, one pod at
     * a time from the highest ordinal (as the StatefulSet controller does, the PodDisruptionBudget allowing one
     * pod down), each stopped with SIGTERM (its leaderships handed over) and ready again before the next. A
     * publisher that publishes again what was not acknowledged within 2 s never waits longer than its deadline,
     * and every acknowledged message is in the stream once.
     */
    @Test
    void anR3StreamStaysWritableThroughARollingRestart() throws Exception {
        jetStream = true;
        startThreePods("size: 3\nclustering: {enabled: true}\njetstream: {enabled: true}\n");
        Options.Builder all = Options.builder().maxReconnects(-1).reconnectWait(Duration.ofMillis(100));
        for (int i = 0; i < 3; i++) {
            all.server("nats://" + ips[i] + ":" + Ports.CLIENT);
        }
        java.util.Map<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong longestWaitMs = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (Connection nc = Nats.connect(all.build())) {
            nc.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(10)).build())
                .addStream(StreamConfiguration.builder().name("EVENTS").subjects("meshery.events.>")
                    .storageType(StorageType.File).replicas(3).build());
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            Thread publisher = new Thread(() -> {
                try {
                    for (int n = 1; publishing.get(); n++) {
                        String id = "e-" + n;
                        NatsMessage m = NatsMessage.builder().subject("meshery.events.x")
                            .headers(new Headers().add("Nats-Msg-Id", id)).data(id.getBytes()).build();
                        long start = System.nanoTime();
                        while (true) {
                            try {
                                acked.put(id, js.publish(m).getSeqno());
                                break;
                            } catch (IOException | JetStreamApiException | IllegalStateException e) {
                                if (System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
                                    throw e;
                                }
                            }
                        }
                        longestWaitMs.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "rolling-publisher");
            publisher.start();
            await(Duration.ofSeconds(30), "publishing", () -> acked.size() > 100);
            for (int i = 2; i >= 0; i--) {
                pods[i].destroy(); // SIGTERM, as the kubelet stops a pod
                pods[i].waitFor();
                int before = acked.size();
                pods[i] = startPod(i);
                await(START, "pod " + i + " back", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
                int pod = i;
                await(Duration.ofSeconds(30), "pod " + i + " ready", () -> "ok".equals(
                    get(pod, Ports.MONITOR, "/healthz").path("status").asText()));
                await(Duration.ofSeconds(30), "publishing after pod " + i, () -> acked.size() > before + 50);
            }
            publishing.set(false);
            publisher.join(60_000);
            assertEquals(null, failed.get(), "the publisher never gave up");
            JetStreamManagement jsm = nc.jetStreamManagement();
            long count = jsm.getStreamInfo("EVENTS").getStreamState().getMsgCount();
            assertEquals(acked.size(), count, "one stored message per acknowledged one");
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (long seq = 1; seq <= count; seq++) {
                assertTrue(ids.add(jsm.getMessage("EVENTS", seq).getHeaders().getFirst("Nats-Msg-Id")),
                    "stored once: " + seq);
            }
            assertTrue(ids.containsAll(acked.keySet()), "every acknowledged message is there");
            System.out.println("rolling restart: " + acked.size() + " messages acknowledged, longest wait for one "
                + longestWaitMs.get() + " ms");
            // writable throughout: a leader hands over before its pod stops, so no publish waits for an election
            assertTrue(longestWaitMs.get() < 10_000, "longest wait for a PubAck: " + longestWaitMs.get() + " ms");
        }
    }

    /**
     * The operator's nats.conf and JAVA_OPTS for the Broker {@code spec}, run by three processes as pods 2, 1, 0
     * (the first seed last), each on its own loopback address; returns once they form one cluster.
     */
    private void startThreePods(String spec) throws Exception {
        BrokerCluster broker = BrokerClusterTest.cluster(spec);
        conf = dir.resolve("nats.conf");
        Files.writeString(conf, broker.natsConf());
        Container container = broker.generateStatefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
        javaOpts = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS")).findFirst()
            .orElseThrow().getValue();
        ips = freeLoopbackAddresses();
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (int i = 0; i < 3; i++) {
            hosts.append(ips[i]).append(' ').append(podHost(i)).append('\n');
        }
        hostsFile = dir.resolve("hosts");
        Files.writeString(hostsFile, hosts);
        for (int i = 2; i >= 0; i--) {
            pods[i] = startPod(i);
        }
        await(START, "three pods in one cluster", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
    }

    private Process startPod(int i) throws IOException {
        Path target = Path.of("..", "broker-node", "target").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : javaOpts.replace("$(POD_NAME)", podName(i)).replace("$(POD_NAMESPACE)", "meshery")
                .split(" ")) {
            command.add(opt);
        }
        command.addAll(List.of("-Xmx256m", "-Djdk.net.hosts.file=" + hostsFile,
            "-cp", target.resolve("broker-node.jar") + File.pathSeparator + target.resolve("lib") + "/*",
            "io.meshery.broker.Main", "-c", conf.toString(),
            // a pod binds its own IP: here its loopback address, for the client and the cluster port
            "-a", ips[i], "--cluster", "nats://" + ips[i] + ":" + Ports.CLUSTER,
            "-P", dir.resolve(podName(i) + ".pid").toString()));
        if (jetStream) { // the pod's volume claim
            command.addAll(List.of("-sd", dir.resolve(podName(i) + "-data").toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(podName(i) + ".log").toFile()));
        pb.environment().put("POD_NAME", podName(i));
        return pb.start();
    }

    private static String podName(int i) {
        return "meshery-broker-" + i;
    }

    private static String podHost(int i) {
        return podName(i) + ".meshery-broker-headless.meshery.svc.cluster.local";
    }

    private Options options(int i) {
        return Options.builder().server("nats://" + ips[i] + ":" + Ports.CLIENT).maxReconnects(0).build();
    }

    private int routes(int i) {
        return get(i, Ports.MONITOR, "/routez").path("num_routes").asInt(-1);
    }

    private JsonNode get(int i, int port, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ips[i] + ":" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    /** Three addresses 127.x.y.2-4 where none of the pod ports is taken, so runs never collide. */
    private static String[] freeLoopbackAddresses() {
        for (int attempt = 0; attempt < 20; attempt++) {
            String base = "127." + ThreadLocalRandom.current().nextInt(16, 250) + "."
                + ThreadLocalRandom.current().nextInt(1, 250) + ".";
            String[] ips = {base + 2, base + 3, base + 4};
            if (Arrays.stream(ips).allMatch(StatefulSetRehearsalIT::portsFree)) {
                return ips;
            }
        }
        throw new IllegalStateException("no free loopback addresses");
    }

    private static boolean portsFree(String ip) {
        for (int port : POD_PORTS) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private String podLog(int i) {
        try {
            return Files.readString(dir.resolve(podName(i) + ".log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private void await(Duration deadline, String what, BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                StringBuilder logs = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    Path log = dir.resolve(podName(i) + ".log");
                    if (Files.exists(log)) {
                        List<String> lines = Files.readAllLines(log);
                        logs.append("\n--- ").append(podName(i)).append(":\n")
                            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
                    }
                }
                throw new AssertionError("timed out after " + deadline + " waiting for " + what + logs);
            }
            Thread.sleep(50);
        }
    }
}
