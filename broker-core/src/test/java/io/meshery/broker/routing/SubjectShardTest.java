package io.meshery.broker.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.NoSubscriber;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shard actors with Pekko's typed testkit: what a connection relies on when it sends {@code Subscribe} and
 * reads no further until {@code Subscribed} comes back. The index is inspected from the test's thread, as a
 * publisher would read it.
 */
class SubjectShardTest {

    private static final int LITERAL_PARTITIONS = 4;
    private static final ActorTestKit testKit = ActorTestKit.create();

    private final SubjectIndex index = new SubjectIndex(LITERAL_PARTITIONS);

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private static Subscription sub(String subject, String sid) {
        return new Subscription(NoSubscriber.INSTANCE, subject, null, sid);
    }

    private List<Subscription> matching(String subject) {
        return Arrays.asList(index.match(subject).plain());
    }

    @Test
    void aSubscribedReplyComesOnlyOnceTheIndexShowsTheSubscription() {
        ActorRef<SubjectShard.Command> shard = testKit.spawn(SubjectShard.create(index));
        TestProbe<SubjectShard.Subscribed> probe = testKit.createTestProbe();
        Subscription s = sub("orders.created", "1");
        assertEquals(List.of(), matching("orders.created"));

        shard.tell(new SubjectShard.Subscribe(s, probe.ref()));

        assertSame(s, probe.receiveMessage().sub());
        assertEquals(List.of(s), matching("orders.created"));
        assertEquals(1, index.count());
    }

    @Test
    void subscriptionsSentInOrderAreConfirmedInOrder() {
        ActorRef<SubjectShard.Command> shard = testKit.spawn(SubjectShard.create(index));
        TestProbe<SubjectShard.Subscribed> probe = testKit.createTestProbe();
        List<Subscription> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Subscription s = sub("orders." + i, Integer.toString(i));
            sent.add(s);
            shard.tell(new SubjectShard.Subscribe(s, probe.ref()));
        }
        List<Subscription> confirmed = new ArrayList<>();
        probe.receiveSeveralMessages(sent.size()).forEach(r -> confirmed.add(r.sub()));
        assertEquals(sent, confirmed);
        assertEquals(sent.size(), index.count());
    }

    @Test
    void anUnsubscribeAfterASubscribeLeavesNothing() {
        ActorRef<SubjectShard.Command> shard = testKit.spawn(SubjectShard.create(index));
        TestProbe<SubjectShard.Subscribed> probe = testKit.createTestProbe();
        Subscription s = sub("orders.*", "1");
        shard.tell(new SubjectShard.Subscribe(s, probe.ref()));
        shard.tell(new SubjectShard.Unsubscribe(s));
        // The shard handles its mailbox in order: once a later Subscribe is confirmed, the Unsubscribe is done.
        Subscription marker = sub("marker", "2");
        shard.tell(new SubjectShard.Subscribe(marker, probe.ref()));

        assertSame(s, probe.receiveMessage().sub());
        assertSame(marker, probe.receiveMessage().sub());
        assertEquals(List.of(), matching("orders.created"));
        assertEquals(1, index.count());
    }

    @Test
    void aSubscriptionClosedBeforeItsShardGetsToItIsConfirmedButNotInserted() {
        ActorRef<SubjectShard.Command> shard = testKit.spawn(SubjectShard.create(index));
        TestProbe<SubjectShard.Subscribed> probe = testKit.createTestProbe();
        Subscription s = sub("orders.created", "1");
        s.close();

        shard.tell(new SubjectShard.Subscribe(s, probe.ref()));

        assertSame(s, probe.receiveMessage().sub());
        assertEquals(List.of(), matching("orders.created"));
        assertEquals(0, index.count());
    }

    @Test
    void theShardForAWildcardSubjectIsTheWildcardShard() {
        SubjectShards shards = spawnShards();
        ActorRef<SubjectShard.Command> wildcard = shards.shardFor(">");
        assertEquals("subject-shard-" + LITERAL_PARTITIONS, wildcard.path().name());
        assertSame(wildcard, shards.shardFor("*"));
        assertSame(wildcard, shards.shardFor("*.created"));
        assertSame(wildcard, shards.shardFor(">"));
        assertNotEquals(wildcard, shards.shardFor("orders.*"));
        assertNotEquals(wildcard, shards.shardFor("orders.>"));
        assertSame(shards.shardFor("orders.created"), shards.shardFor("orders.*"));

        TestProbe<SubjectShard.Subscribed> probe = testKit.createTestProbe();
        Subscription s = sub("*.created", "1");
        shards.shardFor(s.subject()).tell(new SubjectShard.Subscribe(s, probe.ref()));
        probe.receiveMessage();
        assertEquals(List.of(s), matching("orders.created"));
        assertTrue(matching("orders.deleted").isEmpty());
    }

    /** One shard actor per partition of {@link #index}, spawned as children as the node's guardian does it. */
    private SubjectShards spawnShards() {
        TestProbe<SubjectShards> spawned = testKit.createTestProbe();
        testKit.spawn(Behaviors.<Void>setup(ctx -> {
            spawned.ref().tell(SubjectShards.spawn(ctx, index));
            return Behaviors.empty();
        }));
        return spawned.receiveMessage();
    }
}
