package io.meshery.broker.bench.server;

import java.nio.file.Path;

/**
 * One side of the comparison.
 *
 * @param label          short label used in tables: {@code A} or {@code B}
 * @param name           what the server is, e.g. {@code meshery-broker} or {@code nats-server}
 * @param command        a {@code /bin/sh} command line; {@code {port}} is replaced by the client port chosen for the
 *                       run
 * @param jsCommand      the command for JetStream scenarios; {@code {storedir}} is replaced too, by a fresh empty
 *                       directory made for the run and deleted after it
 * @param clusterCommand the command that starts one node of a cluster scenario; {@code {config}} is replaced by the
 *                       absolute path of the node's configuration file (server name, client, monitoring and cluster
 *                       listen addresses, routes to every node; see {@link ServerCluster})
 */
public record ServerSpec(String label, String name, String command, String jsCommand, String clusterCommand) {

    /** Our broker through its launcher, run from the repository root. */
    public static final String DEFAULT_A_COMMAND = "bin/meshery-broker -p {port} -m 0 -a 127.0.0.1";
    /** The reference server. */
    public static final String DEFAULT_B_COMMAND = "nats-server -p {port} -m 0 -a 127.0.0.1";
    /** What a JetStream scenario appends to a command that has no {@code {storedir}} of its own. */
    public static final String JETSTREAM_FLAGS = " -js -sd {storedir}";
    /** Our broker with JetStream on, storing in the run's directory. */
    public static final String DEFAULT_A_JS_COMMAND = DEFAULT_A_COMMAND + JETSTREAM_FLAGS;
    /** nats-server with JetStream on, storing in the run's directory. */
    public static final String DEFAULT_B_JS_COMMAND = DEFAULT_B_COMMAND + JETSTREAM_FLAGS;
    /** What a cluster node's command passes after the executable: the configuration file. */
    public static final String CLUSTER_FLAGS = " -c {config}";
    /** One node of a cluster of our broker. */
    public static final String DEFAULT_A_CLUSTER_COMMAND = "bin/meshery-broker" + CLUSTER_FLAGS;
    /** One node of a nats-server cluster. */
    public static final String DEFAULT_B_CLUSTER_COMMAND = "nats-server" + CLUSTER_FLAGS;

    /** A side whose JetStream and cluster commands are derived from {@code command}. */
    public ServerSpec(String label, String name, String command) {
        this(label, name, command, jetStreamOf(command));
    }

    /** A side whose cluster command is derived from {@code command} by {@link #clusterOf}. */
    public ServerSpec(String label, String name, String command, String jsCommand) {
        this(label, name, command, jsCommand, clusterOf(command));
    }

    /** {@code command} itself when it has a {@code {storedir}}, else {@code command -js -sd {storedir}}. */
    public static String jetStreamOf(String command) {
        return command.contains("{storedir}") ? command : command + JETSTREAM_FLAGS;
    }

    /**
     * {@code command} itself when it has a {@code {config}}; else the command up to its first option, followed by
     * {@code -c {config}}: {@code cd .. && exec bin/meshery-broker -p {port} -m 0} gives
     * {@code cd .. && exec bin/meshery-broker -c {config}}, {@code JAVA_OPTS="-Xmx1g -Xss1m" x/nats-server -p {port}}
     * gives {@code JAVA_OPTS="-Xmx1g -Xss1m" x/nats-server -c {config}}. An option is a word starting with {@code -}
     * outside quotes.
     */
    public static String clusterOf(String command) {
        if (command.contains("{config}")) {
            return command;
        }
        char quote = 0;
        boolean wordStart = true;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                wordStart = false;
            } else if (c == '"' || c == '\'') {
                quote = c;
                wordStart = false;
            } else if (Character.isWhitespace(c)) {
                wordStart = true;
            } else {
                if (wordStart && c == '-' && i > 0) {
                    return command.substring(0, i).stripTrailing() + CLUSTER_FLAGS;
                }
                wordStart = false;
            }
        }
        return command.stripTrailing() + CLUSTER_FLAGS;
    }

    /** The command with the port filled in. */
    public String commandFor(int port) {
        return command.replace("{port}", Integer.toString(port));
    }

    /** The plain or JetStream command with the port and, when given, the store directory filled in. */
    public String commandFor(int port, boolean jetStream, Path storeDir) {
        String template = jetStream ? jsCommand : command;
        String filled = template.replace("{port}", Integer.toString(port));
        return storeDir == null ? filled : filled.replace("{storedir}", storeDir.toAbsolutePath().toString());
    }

    /** The cluster node command with {@code {config}} filled in. */
    public String clusterCommandFor(Path config) {
        return clusterCommand.replace("{config}", config.toAbsolutePath().toString());
    }

    /** True when the command for this kind of scenario needs a store directory. */
    public boolean needsStoreDir(boolean jetStream) {
        return (jetStream ? jsCommand : command).contains("{storedir}");
    }

    /** {@code A (meshery-broker)}. */
    public String display() {
        return label + " (" + name + ")";
    }
}
