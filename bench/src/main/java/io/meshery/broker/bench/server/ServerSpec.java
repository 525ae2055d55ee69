package io.meshery.broker.bench.server;

import java.nio.file.Path;

/**
 * One side of the comparison.
 *
 * @param label     short label used in tables: {@code A} or {@code B}
 * @param name      what the server is, e.g. {@code meshery-broker} or {@code nats-server}
 * @param command   a {@code /bin/sh} command line; {@code {port}} is replaced by the client port chosen for the run
 * @param jsCommand the command for JetStream scenarios; {@code {storedir}} is replaced too, by a fresh empty
 *                  directory made for the run and deleted after it
 */
public record ServerSpec(String label, String name, String command, String jsCommand) {

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

    /** A side whose JetStream command is derived from {@code command} by {@link #jetStreamOf}. */
    public ServerSpec(String label, String name, String command) {
        this(label, name, command, jetStreamOf(command));
    }

    /** {@code command} itself when it has a {@code {storedir}}, else {@code command -js -sd {storedir}}. */
    public static String jetStreamOf(String command) {
        return command.contains("{storedir}") ? command : command + JETSTREAM_FLAGS;
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

    /** True when the command for this kind of scenario needs a store directory. */
    public boolean needsStoreDir(boolean jetStream) {
        return (jetStream ? jsCommand : command).contains("{storedir}");
    }

    /** {@code A (meshery-broker)}. */
    public String display() {
        return label + " (" + name + ")";
    }
}
