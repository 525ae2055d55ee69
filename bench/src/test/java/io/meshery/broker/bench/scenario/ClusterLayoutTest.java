package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {

    private static DeliveryRun run(List<DeliveryRun.Group> groups) {
        return new DeliveryRun("s", List.of(Payloads.filled(16)), 4096, groups);
    }

    @Test
    void thePublishersNodeCountsItsOwnSubscribersOneByOneAndOtherNodesOncePerGroup() {
        assertEquals(1, run(List.of(DeliveryRun.Group.plainOn(1))).publishingOn(0).interestAtPublisher());
        assertEquals(3, run(List.of(DeliveryRun.Group.queueOn("q", 0, 1, 2))).publishingOn(0).interestAtPublisher());
        assertEquals(2, run(List.of(DeliveryRun.Group.queueOn("q", 1, 1, 2))).publishingOn(0).interestAtPublisher(),
                "two members on node 2 are one announcement");
        assertEquals(1, run(Collections.nCopies(5, DeliveryRun.Group.plainOn(2))).publishingOn(0)
                .interestAtPublisher(), "plain subscribers of one node share the subject's announcement");
        assertEquals(3, run(List.of(DeliveryRun.Group.plainOn(1), DeliveryRun.Group.queueOn("q", 1, 1)))
                .publishingOn(1).interestAtPublisher());
        assertEquals(4, run(Collections.nCopies(4, DeliveryRun.Group.plain())).interestAtPublisher(),
                "a lone server: every subscriber is local");
    }

    @Test
    void membersAndNodesMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> new DeliveryRun.Group("q", 2, List.of(0)));
        assertEquals(0, DeliveryRun.Group.queue("q", 4).nodeOf(3));
        assertEquals(2, DeliveryRun.Group.queueOn("q", 0, 1, 2).nodeOf(2));
    }

    @Test
    void clusterScenariosAreNamedAndSizedApart() {
        assertEquals("cluster-pubsub", PubSubScenario.cluster().name());
        assertEquals("cluster-reqrep", RequestReplyScenario.cluster().name());
        assertEquals("cluster-queue", QueueScenario.cluster().name());
        assertEquals(0, new PubSubScenario().clusterSize());
        assertEquals(3, QueueScenario.cluster().clusterSize());
        assertEquals(new RequestReplyScenario().metrics(), RequestReplyScenario.cluster().metrics());
    }
}
