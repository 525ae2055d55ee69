/**
 * Starting, measuring and stopping the servers under test. A server is any command that speaks NATS on the port it
 * is given ({@link io.meshery.broker.bench.server.ServerSpec}); {@link io.meshery.broker.bench.server.ServerProcess}
 * finds the process that actually listens (the JVM behind a launcher script, not the script) and
 * {@link io.meshery.broker.bench.server.ProcessMetrics} reads its CPU time and memory from {@code /proc}.
 */
package io.meshery.broker.bench.server;
