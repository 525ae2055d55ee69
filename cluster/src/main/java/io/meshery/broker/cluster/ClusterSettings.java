package io.meshery.broker.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * A node's {@code cluster {}} block, as nats-server reads it.
 *
 * @param name the cluster's name; nodes with another name are refused
 * @param host the address the cluster port binds ({@code 0.0.0.0} for every interface)
 * @param port the cluster port: Pekko's inter-node transport (Artery) listens here; 0 for any free port
 * @param advertise the {@code host[:port]} other nodes reach this one at, or {@code null} to work it out
 * @param noAdvertise whether to keep the other nodes' client addresses out of INFO {@code connect_urls}
 * @param routes the other nodes (this one may be among them), as {@code host:port} of their cluster ports
 */
public record ClusterSettings(String name, String host, int port, String advertise, boolean noAdvertise,
                              List<Route> routes) {

    /** nats-server's default cluster port. */
    public static final int DEFAULT_PORT = 6222;

    public ClusterSettings {
        routes = List.copyOf(routes);
    }

    /** One entry of {@code routes}: where another node's cluster port is. */
    public record Route(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Reads a route URL: {@code nats-route://host:port} or {@code nats://host:port} (user info is ignored; the port
     * defaults to 6222).
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static Route parseRoute(String url) {
        String text = url.trim();
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "nats-route://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid route URL \"" + url + "\": " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("nats-route") && !scheme.equals("nats") && !scheme.equals("tcp")) {
            throw new IllegalArgumentException("invalid route URL \"" + url
                + "\": the scheme must be nats-route:// or nats://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("invalid route URL \"" + url + "\": no host");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port == 0 || port > 65535) {
            throw new IllegalArgumentException("invalid route URL \"" + url + "\": port out of range");
        }
        return new Route(host, port);
    }

    /** Reads {@code --cluster nats://host:port}: the address the cluster port listens on. */
    public static Route parseListen(String url) {
        return parseRoute(url);
    }
}
