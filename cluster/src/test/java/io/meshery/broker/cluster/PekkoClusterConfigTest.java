package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's own address in the cluster, from nats-server's settings. */
class PekkoClusterConfigTest {

    private static final List<ClusterSettings.Route> SAME_PORT = List.of(new ClusterSettings.Route("127.0.0.11", 6222),
        new ClusterSettings.Route("127.0.0.12", 6222), new ClusterSettings.Route("127.0.0.13", 6222));

    @Test
    void nodesOnOneHostWithTheSamePortOnTheirOwnAddressesEachFindThemselves() {
        for (String host : new String[] {"127.0.0.11", "127.0.0.12", "127.0.0.13"}) {
            ClusterSettings s = new ClusterSettings("c", host, 6222, "", false, SAME_PORT);
            assertEquals(host, PekkoClusterConfig.canonicalHost(s));
            var config = PekkoClusterConfig.of(s, ConfigFactory.empty());
            assertEquals(host, config.getString("pekko.remote.artery.canonical.hostname"));
            assertEquals(host, config.getString("pekko.remote.artery.advanced.tcp.outbound-client-hostname"),
                "connections to the others leave from the node's own address");
        }
    }

    @Test
    void aNodeListeningOnEveryAddressIsTheRouteThatIsLocalWithItsPort() {
        List<ClusterSettings.Route> routes = List.of(new ClusterSettings.Route("10.255.255.1", 6222),
            new ClusterSettings.Route("127.0.0.1", 6223), new ClusterSettings.Route("10.255.255.3", 6224));
        ClusterSettings s = new ClusterSettings("c", "0.0.0.0", 6223, "", false, routes);
        assertEquals("127.0.0.1", PekkoClusterConfig.canonicalHost(s));
        var config = PekkoClusterConfig.of(s, ConfigFactory.empty());
        assertEquals(false, config.hasPath("pekko.remote.artery.advanced.tcp.outbound-client-hostname"));
    }

    @Test
    void advertiseWins() {
        ClusterSettings s = new ClusterSettings("c", "0.0.0.0", 6222, "broker-0.broker:6222", false, SAME_PORT);
        assertEquals("broker-0.broker", PekkoClusterConfig.canonicalHost(s));
    }
}
