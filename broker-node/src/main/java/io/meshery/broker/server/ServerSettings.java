package io.meshery.broker.server;

import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.config.NodeSettings;
import io.meshery.broker.config.NodeSettings.LameDuck;
import io.meshery.broker.config.NodeSettings.Limits;
import io.meshery.broker.config.NodeSettings.Listen;
import io.meshery.broker.config.NodeSettings.Timings;
import io.meshery.broker.security.Security;
import java.util.Objects;

/**
 * What the node's server side runs with: the groups of {@link NodeSettings} it reads (defaults live there), and
 * the {@link Security} read from the same options. Built with {@link #from(BrokerOptions)}, by the launcher and
 * by the tests alike.
 *
 * @param timings with the auth timeout in effect (see {@link Security#authTimeout(BrokerOptions)})
 * @param security authentication and TLS for clients; {@link Security#NONE} for neither
 */
public record ServerSettings(Listen listen, Limits limits, Timings timings, LameDuck lameDuck, Security security) {

    public ServerSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(lameDuck, "lameDuck");
        Objects.requireNonNull(security, "security");
    }

    /**
     * The settings {@code options} ask for, with the security of their {@code authorization} and {@code tls}
     * blocks (reading the users file, certificates and keys).
     *
     * @throws io.meshery.broker.config.ConfigException naming the key when a block cannot be used
     */
    public static ServerSettings from(BrokerOptions options) {
        NodeSettings s = options.settings();
        Security security = Security.fromOptions(options);
        return new ServerSettings(s.listen(), s.limits(), s.timings().withAuthTimeout(security.authTimeout(options)),
            s.lameDuck(), security);
    }
}
