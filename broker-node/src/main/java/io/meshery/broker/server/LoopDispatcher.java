package io.meshery.broker.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * A Pekko dispatcher whose one thread is a {@link SelectorLoop}: the actors of the connections whose sockets the
 * loop serves run there, so a read is parsed on the thread that read it, as nats-server's read loop does, and the
 * actor is still an actor (its mailbox, its messages one at a time, its timers and supervision). Messages from
 * other threads (a shard's answer, a drained receiver) wake the loop.
 *
 * <p>Nothing on these actors may block: a credentials check runs on the blocking dispatcher, a SUB waits for its
 * shard by a message, and writes never wait for the socket.
 */
final class LoopDispatcher {

    private LoopDispatcher() {
    }

    /** Registers in {@code system} a dispatcher named {@code id} that runs on {@code loop}; returns {@code id}. */
    static String register(ActorSystem system, String id, SelectorLoop loop) {
        Dispatchers dispatchers = system.dispatchers();
        if (!dispatchers.hasDispatcher(id)) {
            Config config = ConfigFactory.parseString("id = \"" + id + "\"").withFallback(dispatchers.defaultDispatcherConfig());
            dispatchers.registerConfigurator(id, new Configurator(config, dispatchers.prerequisites(), id, loop));
        }
        return id;
    }

    private static final class Configurator extends MessageDispatcherConfigurator {

        private final Dispatcher instance;

        Configurator(Config config, DispatcherPrerequisites prerequisites, String id, SelectorLoop loop) {
            super(config, prerequisites);
            ExecutorServiceFactory factory = () -> new LoopExecutor(loop);
            this.instance = new Dispatcher(this, id, config.getInt("throughput"), Duration.Zero(),
                (name, threadFactory) -> factory, FiniteDuration.create(1, TimeUnit.SECONDS));
        }

        @Override
        public MessageDispatcher dispatcher() {
            return instance;
        }
    }

    /**
     * The loop as an executor. Pekko shuts a dispatcher's executor down when no actor has used it for a while and
     * makes a new one later; the loop itself lives as long as the client port.
     */
    private static final class LoopExecutor extends AbstractExecutorService {

        private final SelectorLoop loop;
        private volatile boolean shutdown;

        LoopExecutor(SelectorLoop loop) {
            this.loop = loop;
        }

        @Override
        public void execute(Runnable task) {
            loop.submit(task);
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
