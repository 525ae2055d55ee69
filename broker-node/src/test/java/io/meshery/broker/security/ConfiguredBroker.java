package io.meshery.broker.security;

import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.config.ConfigParser;
import io.meshery.broker.testkit.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A test broker on 127.0.0.1 and a free port, with the authorization and tls blocks of a nats.conf file. */
final class ConfiguredBroker {

    private ConfiguredBroker() {
    }

    /** Writes {@code conf} as {@code dir/nats.conf} and starts a node with it, as the launcher reads it. */
    static TestBroker start(Path dir, String conf) throws IOException {
        Path file = dir.resolve("nats.conf");
        Files.writeString(file, conf);
        return start(file);
    }

    static TestBroker start(Path file) {
        BrokerOptions options = BrokerOptions.fromConfig(new ConfigParser().parseFile(file)).options();
        return TestBroker.start(o -> o.configFile(file).authorization(options.authorization()).tls(options.tls())
            .authTimeout(options.authTimeout()));
    }
}
