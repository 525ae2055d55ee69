package io.meshery.broker.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerClusterTest {

    @Test
    void everyNodeGetsThreeDistinctPorts() throws Exception {
        List<ServerCluster.NodePorts> ports = ServerCluster.nodePorts(3);
        assertEquals(List.of("n1", "n2", "n3"), ports.stream().map(ServerCluster.NodePorts::name).toList());
        Set<Integer> distinct = new HashSet<>();
        for (ServerCluster.NodePorts p : ports) {
            distinct.add(p.client());
            distinct.add(p.monitor());
            distinct.add(p.cluster());
        }
        assertEquals(9, distinct.size());
        assertTrue(distinct.stream().allMatch(p -> p > 0 && p < 65536));
    }

    @Test
    void configListsEveryNodeAsARoute() {
        List<ServerCluster.NodePorts> ports = List.of(new ServerCluster.NodePorts("n1", 4001, 8001, 6001),
                new ServerCluster.NodePorts("n2", 4002, 8002, 6002), new ServerCluster.NodePorts("n3", 4003, 8003, 6003));
        assertEquals("""
                server_name: n2
                listen: 127.0.0.1:4002
                http: 127.0.0.1:8002
                cluster { name: bench, listen: 127.0.0.1:6002, routes: [nats-route://127.0.0.1:6001, \
                nats-route://127.0.0.1:6002, nats-route://127.0.0.1:6003] }
                """, ServerCluster.configText(ports.get(1), ports));
    }

    @Test
    void aJetStreamClusterGivesEveryNodeItsOwnStoreDirectory() {
        List<ServerCluster.NodePorts> ports = List.of(new ServerCluster.NodePorts("n1", 4001, 8001, 6001),
                new ServerCluster.NodePorts("n2", 4002, 8002, 6002), new ServerCluster.NodePorts("n3", 4003, 8003, 6003));
        assertEquals("""
                server_name: n3
                listen: 127.0.0.1:4003
                http: 127.0.0.1:8003
                cluster { name: bench, listen: 127.0.0.1:6003, routes: [nats-route://127.0.0.1:6001, \
                nats-route://127.0.0.1:6002, nats-route://127.0.0.1:6003] }
                jetstream { store_dir: "/tmp/bench-store-n3-1" }
                """, ServerCluster.configText(ports.get(2), ports, Path.of("/tmp/bench-store-n3-1")));
    }

    @Test
    void readsCountsFromMonitoringJson() {
        assertEquals(2, ServerCluster.numRoutes("{\n  \"server_id\": \"N1\",\n  \"num_routes\": 2,\n  \"routes\": []}"));
        assertEquals(-1, ServerCluster.numRoutes("{\"routes\": []}"));
        assertEquals(126, ServerCluster.numSubscriptions("{\"num_subscriptions\":126,\"num_cache\":9}"));
        assertEquals(0, ServerCluster.numSubscriptions("{\n  \"num_subscriptions\": 0,\n  \"num_cache\": 0\n}"));
    }

    @Test
    void aSumOfProcessesAddsTheirCounters() throws Exception {
        ProcessMetrics self = new ProcessMetrics(ProcessHandle.current().pid());
        ProcessMetrics twice = ProcessMetrics.sum(List.of(self, self));
        long rss = self.peakRssKib();
        assertTrue(twice.peakRssKib() >= 2 * rss);
        assertEquals(self.pid(), twice.pid());
    }
}
