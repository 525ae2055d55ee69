package io.meshery.broker.operator;

import io.meshery.broker.operator.model.OperatorSettings;
import java.time.Duration;
import java.util.Map;

/**
 * The operator's settings, from environment variables, overridden by command-line flags.
 *
 * @param watchNamespace namespace to watch, or null for all ({@code WATCH_NAMESPACE}, {@code --namespace=})
 * @param leaseNamespace namespace of the leader election Lease ({@code POD_NAMESPACE}, else the kubeconfig's)
 * @param identity this replica's name in the election ({@code POD_NAME}, else host name and pid)
 * @param leaderElection whether to elect a leader ({@code LEADER_ELECTION}, {@code --no-leader-election})
 * @param installCrd create or update the CRD at start ({@code --install-crd}; needs the right to)
 * @param healthPort port of /healthz and /readyz, 0 for none ({@code HEALTH_PORT})
 * @param resync periodic reconcile of every Broker ({@code RESYNC_SECONDS})
 * @param workers concurrent reconciles ({@code WORKERS})
 * @param settings image, cluster domain and node host given to the model
 */
public record OperatorConfig(String watchNamespace, String leaseNamespace, String identity, boolean leaderElection,
        boolean installCrd, int healthPort, Duration resync, int workers, OperatorSettings settings) {
    public static final String LEASE_NAME = "meshery-broker-operator";

    public static final String USAGE = """
        Usage: operator-lite [--namespace=NS] [--no-leader-election] [--install-crd] [--help]

        Reconciles Broker resources (brokers.meshery.io) into StatefulSets, Services and ConfigMaps, using the
        current kubeconfig (or the in-cluster service account).

          --namespace=NS          watch only namespace NS (default: all namespaces; env WATCH_NAMESPACE)
          --no-leader-election    act without electing a leader (only with a single replica)
          --install-crd           create or update the CRD brokers.meshery.io before starting
          --help                  print this text

        Environment: POD_NAMESPACE (Lease namespace), POD_NAME (identity), LEADER_ELECTION=true|false,
        HEALTH_PORT (0 = off), RESYNC_SECONDS (300), WORKERS (2), BROKER_IMAGE_REPOSITORY
        (meshery/meshery-broker), BROKER_VERSION (0.1.0), CLUSTER_DOMAIN (cluster.local),
        NODEPORT_HOST (host in status.endpoint.external for NodePort; default out of cluster: the API server's
        host; in cluster: none),
        OPERATOR_LOG_LEVEL (INFO).
        """;

    /** Parses flags over the environment; throws IllegalArgumentException on an unknown flag. */
    public static OperatorConfig from(String[] args, Map<String, String> env, String defaultNamespace) {
        String watch = blankToNull(env.get("WATCH_NAMESPACE"));
        boolean leader = !"false".equalsIgnoreCase(env.getOrDefault("LEADER_ELECTION", "true"));
        boolean installCrd = false;
        for (String arg : args) {
            if (arg.startsWith("--namespace=")) {
                watch = blankToNull(arg.substring("--namespace=".length()));
            } else if (arg.equals("--no-leader-election")) {
                leader = false;
            } else if (arg.equals("--install-crd")) {
                installCrd = true;
            } else {
                throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        String leaseNs = env.getOrDefault("POD_NAMESPACE", defaultNamespace == null ? "default" : defaultNamespace);
        String identity = env.get("POD_NAME");
        if (identity == null) {
            identity = hostName() + "-" + ProcessHandle.current().pid();
        }
        OperatorSettings settings = new OperatorSettings(
                env.getOrDefault("BROKER_IMAGE_REPOSITORY", OperatorSettings.DEFAULT_IMAGE_REPOSITORY),
                env.getOrDefault("BROKER_VERSION", OperatorSettings.DEFAULT_VERSION),
                env.getOrDefault("CLUSTER_DOMAIN", OperatorSettings.DEFAULT_CLUSTER_DOMAIN),
                blankToNull(env.get("NODEPORT_HOST")));
        return new OperatorConfig(watch, leaseNs, identity, leader, installCrd, number(env, "HEALTH_PORT", 0),
                Duration.ofSeconds(number(env, "RESYNC_SECONDS", 300)), Math.max(1, number(env, "WORKERS", 2)), settings);
    }

    private static int number(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got \"" + v + "\"");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "operator";
        }
    }
}
