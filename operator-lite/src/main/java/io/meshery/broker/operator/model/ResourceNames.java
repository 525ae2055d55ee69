package io.meshery.broker.operator.model;

/**
 * Every name the operator gives an object, derived from the Broker's name. The StatefulSet and the client
 * Service carry the Broker's own name, so the seed's {@code kubectl get svc meshery-broker} and the pods
 * {@code meshery-broker-0..n} look as users expect.
 */
public final class ResourceNames {
    /** StatefulSet pods are named {@code <name>-<ordinal>} and labelled {@code <name>-<hash>} (63 characters). */
    public static final int MAX_BROKER_NAME_LENGTH = 52;
    /** Name of the volume claim template; claims are {@code jetstream-<name>-<ordinal>}. */
    public static final String JETSTREAM_CLAIM = "jetstream";

    private ResourceNames() {}

    public static String statefulSet(String broker) {
        return broker;
    }

    public static String clientService(String broker) {
        return broker;
    }

    public static String headlessService(String broker) {
        return broker + "-headless";
    }

    public static String configMap(String broker) {
        return broker + "-config";
    }

    public static String networkPolicy(String broker) {
        return broker;
    }

    public static String podDisruptionBudget(String broker) {
        return broker;
    }

    public static String pod(String broker, int ordinal) {
        return statefulSet(broker) + "-" + ordinal;
    }

    /** What the names of the StatefulSet's JetStream claims start with: {@code jetstream-<name>-}. */
    public static String jetStreamClaimPrefix(String broker) {
        return JETSTREAM_CLAIM + "-" + statefulSet(broker) + "-";
    }

    /** Stable DNS name of one pod through the headless Service. */
    public static String podHost(String broker, String namespace, int ordinal, String clusterDomain) {
        return pod(broker, ordinal) + "." + headlessService(broker) + "." + namespace + ".svc." + clusterDomain;
    }

    /** DNS name of the client Service. */
    public static String clientServiceHost(String broker, String namespace, String clusterDomain) {
        return clientService(broker) + "." + namespace + ".svc." + clusterDomain;
    }
}
