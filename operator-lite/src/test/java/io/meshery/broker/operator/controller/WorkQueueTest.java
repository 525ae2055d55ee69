package io.meshery.broker.operator.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void aKeyIsQueuedOnceHoweverManyEvents() throws Exception {
        WorkQueue q = new WorkQueue();
        q.add("a/b");
        q.add("a/b");
        q.add("c/d");
        assertEquals(2, q.size());
        assertEquals("a/b", q.take(SHORT));
        assertEquals("c/d", q.take(SHORT));
        assertNull(q.take(SHORT));
        q.shutdown();
    }

    @Test
    void aKeyAddedWhileProcessingIsQueuedAgainWhenDone() throws Exception {
        WorkQueue q = new WorkQueue();
        q.add("a/b");
        String k = q.take(SHORT);
        q.add("a/b");
        assertNull(q.take(SHORT), "not handed to a second worker while being processed");
        q.done(k);
        assertEquals("a/b", q.take(SHORT));
        q.shutdown();
    }

    @Test
    void delayedAndRateLimitedAdds() throws Exception {
        WorkQueue q = new WorkQueue();
        q.addAfter("a/b", Duration.ofMillis(100));
        assertNull(q.take(Duration.ofMillis(20)));
        assertEquals("a/b", q.take(Duration.ofSeconds(5)));
        q.done("a/b");
        assertEquals(Duration.ofSeconds(1), q.addRateLimited("x/y"));
        assertEquals(Duration.ofSeconds(2), q.addRateLimited("x/y"));
        assertEquals(Duration.ofSeconds(4), q.addRateLimited("x/y"));
        q.forget("x/y");
        assertEquals(Duration.ofSeconds(1), q.addRateLimited("x/y"));
        for (int i = 0; i < 30; i++) {
            q.addRateLimited("z/z");
        }
        assertEquals(WorkQueue.MAX_DELAY, q.addRateLimited("z/z"));
        q.shutdown();
    }

    @Test
    void shutdownWakesWaiters() throws Exception {
        WorkQueue q = new WorkQueue();
        Thread t = new Thread(q::shutdown);
        t.start();
        assertNull(q.take(Duration.ofSeconds(10)));
        t.join();
    }
}
