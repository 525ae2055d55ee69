package io.meshery.broker.config;

import io.meshery.broker.config.Invocation.Fail;
import io.meshery.broker.config.Invocation.Signal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads the process arguments the way nats-server's {@code main} does, and loads the configuration file they
 * name.
 *
 * <p>Flags follow Go's {@code flag} package: one or two dashes ({@code -p}, {@code --port}); a value either
 * after {@code =} or as the next argument ({@code -p 4222}, {@code -p=4222}, {@code --port 4222},
 * {@code --port=4222}); boolean flags take a value only after {@code =} ({@code -T=false}); parsing stops at
 * {@code --} or at the first argument that is not a flag. See {@link #usage()} for the flags.
 *
 * <p>Precedence: defaults, then the configuration file ({@code -c}), then the flags, so a flag always wins over
 * the file, whatever the order on the command line. Among flags the last one wins. Errors in the file name its
 * {@code file:line:column}; errors in a flag's value name the option.
 *
 * <p>Warnings (keys of features not implemented yet, discouraged values) are returned in the {@link Invocation},
 * one line each, for the caller to log once logging is set up, or print with {@code -t}.
 *
 * <p>Exit codes: 2 for a malformed command line (nats-server 2.9 prints the usage and exits 0 there; 2 is what
 * Go's flag package and most tools use), 1 for an invalid configuration, an unknown signal or a stray argument.
 *
 * <p>Immutable and thread-safe.
 */
public final class CommandLine {
    /** The product name used in messages. */
    public static final String PRODUCT = "meshery-broker";

    private final String version;
    private final ConfigParser parser;

    /** A command line that reports {@code version} for {@code -v} and reads {@code $VARS} from the environment. */
    public CommandLine(String version) {
        this(version, System::getenv);
    }

    /** As {@link #CommandLine(String)}, resolving {@code $VARS} in the configuration through {@code environment}. */
    public CommandLine(String version, Function<String, String> environment) {
        this.version = Objects.requireNonNull(version, "version");
        this.parser = new ConfigParser(environment);
    }

    /**
     * Decides what {@code args} ask for. Reads the configuration file when the answer is to run or to test it;
     * never prints, exits or signals.
     */
    public Invocation parse(String... args) {
        Flags flags;
        try {
            flags = Flags.read(args);
        } catch (FlagError e) {
            return new Fail(e.getMessage(), 2, true);
        }
        if (flags.help) {
            return new Invocation.PrintHelp(usage());
        }
        if (flags.version) {
            return new Invocation.PrintVersion(PRODUCT + ": v" + version);
        }
        if (!flags.rest.isEmpty()) {
            return new Fail(PRODUCT + ": unrecognized command: \"" + flags.rest.get(0) + "\"", 1, false);
        }
        if (flags.signal != null) {
            return signal(flags.signal);
        }
        if (flags.test && flags.configFile == null) {
            return new Fail(PRODUCT + ": must specify [-c, --config] option to check configuration file syntax", 1,
                    false);
        }
        return load(flags);
    }

    private Invocation load(Flags flags) {
        BrokerOptions.Builder builder = BrokerOptions.builder();
        List<String> warnings = new ArrayList<>();
        ParsedConfig config = null;
        try {
            if (flags.configFile != null) {
                config = parser.parseFile(flags.configFile);
                warnings.addAll(OptionsMapper.apply(config, builder));
                builder.configFile(flags.configFile);
            }
            flags.overrides.forEach(o -> o.accept(builder));
            BrokerOptions options = build(builder, config);
            KeyPositions positions = config == null ? KeyPositions.NONE : config.positions();
            return flags.test
                    ? new Invocation.TestConfig(flags.configFile, options, warnings, positions)
                    : new Invocation.Run(options, warnings, positions);
        } catch (ConfigException e) {
            return new Fail(PRODUCT + ": " + e.getMessage(), 1, false);
        }
    }

    /**
     * Builds the options; an error that the file's values alone also raise is located in the file, while one that a
     * flag caused is not (and a flag may repair a file value: {@code port: 70000} with {@code -p 4222} runs).
     */
    private static BrokerOptions build(BrokerOptions.Builder builder, ParsedConfig config) {
        try {
            return builder.build();
        } catch (ConfigException e) {
            if (config == null) {
                throw e;
            }
            try {
                OptionsMapper.load(config);
            } catch (ConfigException fromFile) {
                if (fromFile.reason().endsWith(e.getMessage())) {
                    throw fromFile;
                }
            }
            throw e;
        }
    }

    private static Invocation signal(String value) {
        int eq = value.indexOf('=');
        String command = eq < 0 ? value : value.substring(0, eq);
        String pid = eq < 0 || eq == value.length() - 1 ? null : value.substring(eq + 1);
        Optional<Signal> signal = Signal.of(command);
        if (signal.isEmpty()) {
            return new Fail(PRODUCT + ": unknown signal \"" + command + "\"", 1, false);
        }
        return new Invocation.SendSignal(signal.get(), pid);
    }

    /** The help text for {@code -h}: the flags this broker reads, and what is not there yet. */
    public static String usage() {
        return """

            Usage: %1$s [options]

            Server Options:
                -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
                -p, --port <port>                Use port for clients (default: 4222, -1 for a random port)
                -n, --name
                    --server_name <server_name>  Server name (default: the server id)
                -P, --pid <file>                 File to store PID
                -m, --http_port <port>           Use port for http monitoring (default: 8222, 0 to disable)
                -c, --config <file>              Configuration file (nats.conf syntax; flags override it;
                                                 unknown keys are errors)
                -t                               Test configuration and exit
                -sl,--signal <signal>[=<pid>]    Send signal to %1$s process (ldm, stop, quit, term, reopen;
                                                 reload is only logged: restart the node to apply a change)
                                                 <pid> can be either a PID (e.g. 1) or the path to a PID file
                                                 (e.g. /var/run/nats/nats.pid)

            Logging Options:
                -l, --log <file>                 File to redirect log output
                -T, --logtime                    Timestamp log entries (default: true)
                -D, --debug                      Enable debugging output
                -V, --trace                      Trace the raw protocol
                -VV                              Verbose trace (the same as -V: there is no system account)
                -DV                              Debug and trace
                -DVV                             Debug and verbose trace (the same as -DV)

            JetStream Options:
                -js, --jetstream                 Enable JetStream functionality (streams on one node)
                -sd, --store_dir <dir>           Set the storage directory (default: ./data/jetstream)

            Cluster Options:
                    --routes <rurl-1, rurl-2>    Routes to solicit and connect (nats-route://host:port or
                                                 nats://host:port); the node's own address may be among them
                    --cluster <cluster-url>      Cluster URL for inter-node traffic (nats-route://host:port)
                    --cluster_name <string>      Cluster name (default: meshery-broker)

            Not available yet: leaf nodes, gateways, WebSocket and MQTT. Authorization and TLS are set in the configuration file only.

            Common Options:
                -h, --help                       Show this message
                -v, --version                    Show version
            """.formatted(PRODUCT);
    }

    /** A malformed command line; the message is Go's flag package wording. */
    private static final class FlagError extends Exception {
        private static final long serialVersionUID = 1L;

        FlagError(String message) {
            super(message, null, false, false);
        }
    }

    /** The flags as read, before the configuration file is loaded. */
    private static final class Flags {
        Path configFile;
        String signal;
        boolean test;
        boolean help;
        boolean version;
        final List<Consumer<BrokerOptions.Builder>> overrides = new ArrayList<>();
        final List<String> rest = new ArrayList<>();

        static Flags read(String[] args) throws FlagError {
            Flags flags = new Flags();
            int i = 0;
            while (i < args.length) {
                String arg = args[i];
                if (arg.equals("--")) {
                    i++;
                    break;
                }
                if (arg.length() < 2 || arg.charAt(0) != '-') {
                    break;
                }
                String name = arg.substring(arg.startsWith("--") ? 2 : 1);
                if (name.isEmpty() || name.startsWith("-") || name.startsWith("=")) {
                    throw new FlagError("bad flag syntax: " + arg);
                }
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                final String given = name;
                Flag flag = Flag.named(name).orElseThrow(() -> new FlagError("flag provided but not defined: -" + given));
                if (flag.kind == Flag.Kind.BOOL) {
                    flags.set(flag, value == null || parseBoolean(name, value), null, 0);
                } else {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new FlagError("flag needs an argument: -" + name);
                        }
                        value = args[++i];
                    }
                    int number = flag.kind == Flag.Kind.INT ? parseInt(name, value) : 0;
                    flags.set(flag, false, value, number);
                }
                i++;
            }
            for (; i < args.length; i++) {
                flags.rest.add(args[i]);
            }
            return flags;
        }

        private void set(Flag flag, boolean on, String text, int number) {
            switch (flag) {
                case CONFIG -> configFile = Path.of(text);
                case SIGNAL -> signal = text;
                case TEST -> test = on;
                case HELP -> help = on;
                case VERSION -> version = on;
                case ADDR -> overrides.add(b -> b.host(text));
                case PORT -> overrides.add(b -> b.port(number));
                case HTTP_PORT -> overrides.add(b -> b.httpPort(number));
                case NAME -> overrides.add(b -> b.serverName(text));
                case PID -> overrides.add(b -> b.pidFile(Path.of(text)));
                case LOG -> overrides.add(b -> b.logFile(Path.of(text)));
                case LOGTIME -> overrides.add(b -> b.logtime(on));
                case DEBUG -> overrides.add(b -> b.debug(on));
                case TRACE -> overrides.add(b -> b.trace(on));
                case VERBOSE_TRACE -> overrides.add(b -> b.trace(on).traceVerbose(on));
                case DEBUG_TRACE -> overrides.add(b -> b.debug(on).trace(on));
                case DEBUG_VERBOSE_TRACE -> overrides.add(b -> b.debug(on).trace(on).traceVerbose(on));
                case JETSTREAM -> overrides.add(b -> b.jetStream(on));
                case STORE_DIR -> overrides.add(b -> b.storeDir(Path.of(text)));
                case CLUSTER -> overrides.add(b -> b.clusterListen(text));
                case ROUTES -> overrides.add(b -> b.routes(text));
                case CLUSTER_NAME -> overrides.add(b -> b.clusterName(text));
            }
        }

        /** Go's {@code strconv.ParseBool}. */
        private static boolean parseBoolean(String name, String value) throws FlagError {
            return switch (value) {
                case "1", "t", "T", "true", "TRUE", "True" -> true;
                case "0", "f", "F", "false", "FALSE", "False" -> false;
                default -> throw new FlagError("invalid boolean value \"" + value + "\" for -" + name + ": parse error");
            };
        }

        private static int parseInt(String name, String value) throws FlagError {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new FlagError("invalid value \"" + value + "\" for flag -" + name + ": parse error");
            }
        }
    }
}
