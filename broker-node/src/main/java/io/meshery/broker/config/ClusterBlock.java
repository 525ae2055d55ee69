package io.meshery.broker.config;

import io.meshery.broker.cluster.ClusterSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code cluster {}} block and the flags {@code --cluster}, {@code --routes}, {@code --cluster_name} into
 * {@link ClusterSettings}, as nats-server does: the flags win over the block, routes are
 * {@code nats-route://} or {@code nats://} URLs, the port defaults to 6222.
 */
final class ClusterBlock {

    private ClusterBlock() {}

    /**
     * The node's cluster, or {@code null} when neither the block nor a flag asks for one.
     *
     * @throws ConfigException naming the key and the bad value
     */
    static ClusterSettings read(Map<String, Object> block, String listenFlag, String routesFlag, String nameFlag) {
        if (block.isEmpty() && listenFlag == null && routesFlag == null && nameFlag == null) {
            return null;
        }
        String name = null;
        String host = "0.0.0.0";
        int port = ClusterSettings.DEFAULT_PORT;
        String advertise = null;
        boolean noAdvertise = false;
        List<ClusterSettings.Route> routes = new ArrayList<>();
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String key = "cluster." + e.getKey();
            Object v = e.getValue();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "name" -> name = checkName(key, ConfigValues.string(key, v));
                case "listen" -> {
                    HostPort hp = HostPort.parse(key, v);
                    if (hp.host() != null && !hp.host().isEmpty()) {
                        host = hp.host();
                    }
                    port = hp.port();
                }
                case "host", "net" -> host = ConfigValues.string(key, v);
                case "port" -> port = ConfigValues.integer(key, v);
                case "advertise", "cluster_advertise" -> advertise = ConfigValues.string(key, v);
                case "no_advertise" -> noAdvertise = ConfigValues.bool(key, v);
                case "routes" -> routes.addAll(routes(key, v));
                default -> { } // checked by ConfigKeys: accepted with a warning or refused before this
            }
        }
        if (listenFlag != null) {
            try {
                ClusterSettings.Route listen = ClusterSettings.parseListen(listenFlag);
                host = listen.host();
                port = listen.port();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--cluster: " + e.getMessage());
            }
        }
        if (routesFlag != null) {
            routes.clear();
            for (String url : routesFlag.split(",")) {
                if (!url.isBlank()) {
                    try {
                        routes.add(ClusterSettings.parseRoute(url));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("--routes: " + e.getMessage());
                    }
                }
            }
        }
        if (nameFlag != null) {
            name = checkName("--cluster_name", nameFlag);
        }
        if (port < -1 || port > 65535) {
            throw new ConfigException("cluster.port: invalid port " + port + " (expected 0 to 65535, or -1 for any)");
        }
        if (port == 0) {
            port = ClusterSettings.DEFAULT_PORT;
        } else if (port == -1) {
            port = 0; // any free port, as nats-server's -1
        }
        return new ClusterSettings(name == null ? DEFAULT_NAME : name, host, port, advertise, noAdvertise, routes);
    }

    /** The name of a cluster configured without one: every such node must use the same. */
    static final String DEFAULT_NAME = "meshery-broker";

    private static String checkName(String key, String name) {
        if (name.isEmpty() || name.contains(" ") || name.contains(".") || name.contains("*") || name.contains(">")) {
            throw new ConfigException(key + ": invalid cluster name \"" + name
                + "\": it may not be empty or contain spaces, '.', '*' or '>'");
        }
        return name;
    }

    private static List<ClusterSettings.Route> routes(String key, Object v) {
        List<ClusterSettings.Route> out = new ArrayList<>();
        if (!(v instanceof List<?> list)) {
            throw new ConfigException(key + ": expected a list of route URLs, got " + ConfigValues.show(v));
        }
        for (Object item : list) {
            String url = ConfigValues.string(key, item);
            try {
                out.add(ClusterSettings.parseRoute(url));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + ": " + e.getMessage());
            }
        }
        return out;
    }
}
