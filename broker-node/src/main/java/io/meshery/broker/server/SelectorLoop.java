package io.meshery.broker.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits on a {@link Selector} for the client sockets given to it and does their readiness work:
 * it reads what a readable socket holds and hands the bytes to the connection ({@link ClientSocket#onReadable}),
 * and it finishes writes the socket could not take at once ({@link ClientSocket#onWritable}). Interest changes
 * asked from other threads run here as tasks ({@link #execute}), so that only this thread changes a key.
 *
 * <p>The loop is also the thread of its connections' actors ({@link LoopDispatcher}): their messages run as tasks
 * after each select, so a read is parsed on the thread that read it. Writes are made by whichever thread flushes a
 * connection (docs/architecture.md, "Client connections").
 */
final class SelectorLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);

    /** The most one read takes from a socket; each read is parsed as one batch. */
    static final int READ_BYTES = 128 * 1024;

    private final Selector selector;
    /** Tasks run after each select at most this many at a time, so that sockets are not starved. */
    private static final int TASKS_PER_TURN = 4096;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** A wake-up is under way: others need not wake the selector again until the loop clears it. */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BYTES);
    private final Thread thread;
    private volatile boolean running = true;

    SelectorLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread: at once when called there, else at its next turn. */
    void execute(Runnable task) {
        if (inLoop()) {
            task.run();
            return;
        }
        submit(task);
    }

    /** Runs {@code task} on this loop's thread at its next turn (after the sockets it is serving now). */
    void submit(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Stops the loop; the sockets still registered are closed by their connections. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                wakeupPending.set(false);
                if (tasks.isEmpty()) {
                    selector.select();
                } else {
                    selector.selectNow();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    ClientSocket socket = (ClientSocket) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        int ready = key.readyOps();
                        if ((ready & SelectionKey.OP_WRITE) != 0) {
                            socket.onWritable();
                        }
                        if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
                            socket.onReadable(readBuffer);
                        }
                    } catch (CancelledKeyException e) {
                        // the connection closed its socket meanwhile
                    }
                }
                runTasks(TASKS_PER_TURN);
            }
        } catch (ClosedSelectorException e) {
            // stopped
        } catch (IOException | RuntimeException e) {
            log.error("Client socket loop {} failed: {}", thread.getName(), e.toString());
        } finally {
            runTasks(Integer.MAX_VALUE);
            try {
                selector.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    private void runTasks(int most) {
        Runnable task;
        for (int i = 0; i < most && (task = tasks.poll()) != null; i++) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Client socket loop task failed: {}", e.toString());
            }
        }
    }
}
