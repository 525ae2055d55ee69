/**
 * Starting, measuring and stopping the servers under test. A server is any command that speaks NATS on the port it
 * is given ({@link io.meshery.broker.bench.server.ServerSpec}); {@link io.meshery.broker.bench.server.ServerProcess}
 * finds the process that actually listens (the JVM behind a launcher script, not the script) and
 * {@link io.meshery.broker.bench.server.ProcessMetrics} reads its CPU time and memory from {@code /proc}.
 * {@link io.meshery.broker.bench.server.ServerCluster} starts several nodes of one server from generated
 * configuration files, waits for its routes ({@code /routez}) and reads the interest each node knows
 * ({@code /subsz}) for the cluster scenarios.
 */
package io.meshery.broker.bench.server;
