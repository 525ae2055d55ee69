package io.meshery.broker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What a client announced in {@code CONNECT}. Until CONNECT arrives a client has nats-server's defaults:
 * verbose, pedantic and echo on, no headers.
 */
record ConnectOptions(boolean verbose, boolean pedantic, boolean echo, boolean headers, boolean noResponders,
                      int protocol, String name, String lang, String version, String user, String pass,
                      String authToken, boolean tlsRequired) {

    static final ConnectOptions DEFAULTS =
        new ConnectOptions(true, true, true, false, false, 0, "", "", "", null, null, null, false);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON could not be read, or a field had the wrong type: nats-server closes without a word. */
    static final class InvalidConnect extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidConnect(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads CONNECT JSON; fields that are absent keep the values of {@code current}. */
    static ConnectOptions parse(byte[] buf, int off, int len, ConnectOptions current) throws InvalidConnect {
        JsonNode root;
        try {
            root = JSON.readTree(buf, off, len);
        } catch (IOException e) {
            throw new InvalidConnect("invalid CONNECT JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConnect("CONNECT is not a JSON object");
        }
        return new ConnectOptions(
            bool(root, "verbose", current.verbose),
            bool(root, "pedantic", current.pedantic),
            bool(root, "echo", current.echo),
            bool(root, "headers", current.headers),
            bool(root, "no_responders", current.noResponders),
            integer(root, "protocol", current.protocol),
            text(root, "name", current.name),
            text(root, "lang", current.lang),
            text(root, "version", current.version),
            text(root, "user", current.user),
            text(root, "pass", current.pass),
            text(root, "auth_token", current.authToken),
            bool(root, "tls_required", current.tlsRequired));
    }

    private static boolean bool(JsonNode root, String field, boolean dflt) throws InvalidConnect {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new InvalidConnect("CONNECT field " + field + " is not a boolean");
        }
        return n.booleanValue();
    }

    private static int integer(JsonNode root, String field, int dflt) throws InvalidConnect {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidConnect("CONNECT field " + field + " is not an integer");
        }
        return n.intValue();
    }

    private static String text(JsonNode root, String field, String dflt) throws InvalidConnect {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new InvalidConnect("CONNECT field " + field + " is not a string");
        }
        return n.textValue();
    }
}
