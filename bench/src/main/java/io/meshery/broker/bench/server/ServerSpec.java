package io.meshery.broker.bench.server;

/**
 * One side of the comparison.
 *
 * @param label   short label used in tables: {@code A} or {@code B}
 * @param name    what the server is, e.g. {@code meshery-broker} or {@code nats-server}
 * @param command a {@code /bin/sh} command line; {@code {port}} is replaced by the client port chosen for the run
 */
public record ServerSpec(String label, String name, String command) {

    /** Our broker through its launcher, run from the repository root. */
    public static final String DEFAULT_A_COMMAND = "bin/meshery-broker -p {port} -m 0 -a 127.0.0.1";
    /** The reference server. */
    public static final String DEFAULT_B_COMMAND = "nats-server -p {port} -m 0 -a 127.0.0.1";

    /** The command with the port filled in. */
    public String commandFor(int port) {
        return command.replace("{port}", Integer.toString(port));
    }

    /** {@code A (meshery-broker)}. */
    public String display() {
        return label + " (" + name + ")";
    }
}
