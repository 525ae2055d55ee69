package io.meshery.broker.config;

import java.util.List;
import java.util.Optional;

/**
 * The command-line flags, with nats-server's names. Names are case-sensitive ({@code -V} is trace, {@code -v}
 * version).
 */
enum Flag {
    CONFIG(Kind.STRING, "c", "config"),
    ADDR(Kind.STRING, "a", "addr", "net"),
    PORT(Kind.INT, "p", "port"),
    HTTP_PORT(Kind.INT, "m", "http_port"),
    NAME(Kind.STRING, "n", "name", "server_name"),
    PID(Kind.STRING, "P", "pid"),
    TEST(Kind.BOOL, "t"),
    SIGNAL(Kind.STRING, "sl", "signal"),
    LOG(Kind.STRING, "l", "log"),
    LOGTIME(Kind.BOOL, "T", "logtime"),
    DEBUG(Kind.BOOL, "D", "debug"),
    TRACE(Kind.BOOL, "V", "trace"),
    VERBOSE_TRACE(Kind.BOOL, "VV"),
    DEBUG_TRACE(Kind.BOOL, "DV"),
    DEBUG_VERBOSE_TRACE(Kind.BOOL, "DVV"),
    JETSTREAM(Kind.BOOL, "js", "jetstream"),
    STORE_DIR(Kind.STRING, "sd", "store_dir"),
    CLUSTER(Kind.STRING, "cluster"),
    ROUTES(Kind.STRING, "routes"),
    CLUSTER_NAME(Kind.STRING, "cluster_name"),
    HELP(Kind.BOOL, "h", "help"),
    VERSION(Kind.BOOL, "v", "version");

    /** Booleans take no separate argument ({@code -D}, {@code -T=false}); the others need one. */
    enum Kind { BOOL, STRING, INT }

    final Kind kind;
    private final List<String> names;

    Flag(Kind kind, String... names) {
        this.kind = kind;
        this.names = List.of(names);
    }

    static Optional<Flag> named(String name) {
        for (Flag f : values()) {
            if (f.names.contains(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
