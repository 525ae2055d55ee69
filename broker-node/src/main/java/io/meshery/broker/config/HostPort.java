package io.meshery.broker.config;

/**
 * The value of {@code listen} or {@code http}: a port number, or a {@code "host:port"} string
 * ({@code "[::1]:4222"} for IPv6). An empty host ({@code ":4222"}) means the default host.
 *
 * @param host the host, or {@code null} when only a port was given
 * @param port the port
 */
record HostPort(String host, int port) {

    static HostPort parse(String key, Object value) {
        if (value instanceof Long) {
            return new HostPort(null, ConfigValues.integer(key, value));
        }
        if (!(value instanceof String s)) {
            throw new ConfigException(key + ": expected a port or \"host:port\", got " + ConfigValues.show(value));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw unparsable(key, s);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw unparsable(key, s);
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": could not parse port \"" + port + "\" in \"" + s + "\"");
        }
    }

    private static ConfigException unparsable(String key, String s) {
        return new ConfigException(key + ": could not parse address string \"" + s + "\" (expected host:port)");
    }
}
