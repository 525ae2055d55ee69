package io.meshery.broker.bench.server;

/**
 * What one run measures and stops: a single {@link ServerProcess}, or the nodes of a {@link ServerCluster}.
 */
public interface ServerUnderTest extends AutoCloseable {

    /** Which server this is. */
    ServerSpec spec();

    /** CPU and memory of the server process, or the sum over a cluster's nodes. */
    ProcessMetrics metrics();

    /** What is measured: pid and executable of each process. */
    String measuredDescription();

    /** True while every measured process runs. */
    boolean isAlive();

    /** Which process exited and the end of its log; call when {@link #isAlive()} turned false. */
    String exitReport(int lines);

    /** Stops every process started. */
    @Override
    void close();
}
