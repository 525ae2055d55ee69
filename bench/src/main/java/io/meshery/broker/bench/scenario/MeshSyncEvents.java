package io.meshery.broker.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * MeshSync-shaped payloads: meshkit broker {@code Message} JSON (capitalised keys, all four present, {@code Request}
 * null) around a Kubernetes resource as MeshSync reports it, sized between a minimum and a maximum.
 *
 * <pre>{@code
 * {"ObjectType":"meshsync-data","EventType":"ADDED|MODIFIED|DELETED","Request":null,
 *  "Object":{"id":"…","apiVersion":"…","kind":"…","metadata":{…},"spec":{…},"status":{…},"cluster_id":"…"}}
 * }</pre>
 *
 * <p>The size is reached the way real objects reach it: through the
 * {@code kubectl.kubernetes.io/last-applied-configuration} annotation, which holds the escaped JSON of the applied
 * manifest. Generation is deterministic for a seed.
 */
final class MeshSyncEvents {

    private static final String[] EVENT_TYPES = {"ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"};
    private static final String[][] KINDS = {
        {"v1", "Pod"}, {"apps/v1", "Deployment"}, {"apps/v1", "ReplicaSet"}, {"v1", "Service"},
        {"v1", "ConfigMap"}, {"v1", "Endpoints"}, {"apps/v1", "StatefulSet"}, {"v1", "Namespace"},
    };
    private static final String[] NAMESPACES = {"default", "meshery", "istio-system", "kube-system", "bookinfo"};
    private static final String[] APPS = {"productpage", "reviews", "ratings", "details", "meshery", "meshsync",
        "nats", "istiod", "coredns"};

    private MeshSyncEvents() {
    }

    /** {@code count} events of {@code minBytes..maxBytes} each (sizes uniform in that range). */
    static List<byte[]> generate(int count, long seed, int minBytes, int maxBytes) {
        Random random = new Random(seed);
        String clusterId = uuid(random);
        List<byte[]> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int target = minBytes + random.nextInt(maxBytes - minBytes + 1);
            events.add(event(random, clusterId, i, target).getBytes(StandardCharsets.US_ASCII));
        }
        return events;
    }

    private static String event(Random random, String clusterId, int index, int targetBytes) {
        String[] kind = KINDS[random.nextInt(KINDS.length)];
        String app = APPS[random.nextInt(APPS.length)];
        String namespace = NAMESPACES[random.nextInt(NAMESPACES.length)];
        String name = app + "-v" + (1 + random.nextInt(3)) + "-" + Integer.toHexString(random.nextInt(1 << 24));
        String head = "{\"ObjectType\":\"meshsync-data\",\"EventType\":\""
                + EVENT_TYPES[random.nextInt(EVENT_TYPES.length)] + "\",\"Request\":null,\"Object\":{"
                + "\"id\":\"" + uuid(random) + "\",\"apiVersion\":\"" + kind[0] + "\",\"kind\":\"" + kind[1] + "\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\","
                + "\"uid\":\"" + uuid(random) + "\",\"resourceVersion\":\"" + (100_000 + index) + "\","
                + "\"generation\":" + (1 + random.nextInt(9)) + ","
                + "\"creationTimestamp\":\"2024-05-" + (10 + random.nextInt(18)) + "T0" + random.nextInt(10)
                + ":1" + random.nextInt(10) + ":2" + random.nextInt(10) + "Z\","
                + "\"labels\":{\"app\":\"" + app + "\",\"version\":\"v1\",\"app.kubernetes.io/part-of\":\"bookinfo\"},"
                + "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"";
        String tail = "\"}},"
                + "\"spec\":" + spec(kind[1], app, random) + ","
                + "\"status\":" + status(kind[1], random) + ","
                + "\"cluster_id\":\"" + clusterId + "\"}}";
        int fill = Math.max(0, targetBytes - head.length() - tail.length());
        return head + lastApplied(kind, name, namespace, app, fill) + tail;
    }

    private static String spec(String kind, String app, Random random) {
        switch (kind) {
            case "Service":
                return "{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96." + random.nextInt(256) + "."
                        + random.nextInt(256) + "\",\"ports\":[{\"name\":\"http\",\"port\":9080,\"protocol\":\"TCP\","
                        + "\"targetPort\":9080}],\"selector\":{\"app\":\"" + app + "\"}}";
            case "ConfigMap":
            case "Endpoints":
            case "Namespace":
                return "{}";
            default:
                return "{\"replicas\":" + (1 + random.nextInt(3)) + ",\"selector\":{\"matchLabels\":{\"app\":\""
                        + app + "\"}},\"containers\":[{\"name\":\"" + app + "\",\"image\":\"docker.io/istio/examples-"
                        + app + ":1.18.0\",\"ports\":[{\"containerPort\":9080}],\"resources\":{\"requests\":"
                        + "{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}],\"serviceAccountName\":\"bookinfo-" + app + "\"}";
        }
    }

    private static String status(String kind, Random random) {
        if ("Pod".equals(kind)) {
            return "{\"phase\":\"Running\",\"podIP\":\"10.244.0." + random.nextInt(256) + "\",\"conditions\":[{\"type\":"
                    + "\"Ready\",\"status\":\"True\"}],\"containerStatuses\":[{\"ready\":true,\"restartCount\":"
                    + random.nextInt(3) + "}]}";
        }
        if (kind.endsWith("Set") || "Deployment".equals(kind)) {
            int replicas = 1 + random.nextInt(3);
            return "{\"replicas\":" + replicas + ",\"readyReplicas\":" + replicas + ",\"observedGeneration\":"
                    + random.nextInt(9) + "}";
        }
        return "{}";
    }

    /** An escaped-JSON manifest of exactly {@code length} characters (padded with spaces, never ending in '\'). */
    private static String lastApplied(String[] kind, String name, String namespace, String app, int length) {
        StringBuilder s = new StringBuilder(length + 256);
        s.append("{\\\"apiVersion\\\":\\\"").append(kind[0]).append("\\\",\\\"kind\\\":\\\"").append(kind[1])
                .append("\\\",\\\"metadata\\\":{\\\"name\\\":\\\"").append(name).append("\\\",\\\"namespace\\\":\\\"")
                .append(namespace).append("\\\"},\\\"data\\\":{");
        for (int i = 0; s.length() < length; i++) {
            s.append("\\\"").append(app).append(".setting-").append(i).append("\\\":\\\"value-").append(i * 7919)
                    .append("\\\",");
        }
        s.setLength(length);
        for (int i = length - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            s.setCharAt(i, ' ');
        }
        return s.toString();
    }

    private static String uuid(Random random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }
}
