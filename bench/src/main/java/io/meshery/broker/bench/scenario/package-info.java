/**
 * The benchmark scenarios, one class each, behind the {@link io.meshery.broker.bench.scenario.Scenario} interface,
 * and the load generators they share: {@link io.meshery.broker.bench.scenario.Publisher} (pre-encoded batches under
 * a flow-control window), {@link io.meshery.broker.bench.scenario.CountingSubscriber} (a reader thread per
 * connection) and {@link io.meshery.broker.bench.scenario.DeliveryRun} (one publisher, some subscribers, zero-loss
 * accounting). {@link io.meshery.broker.bench.scenario.JetStreamPublishScenario} publishes into a JetStream stream and
 * checks every PubAck ({@link io.meshery.broker.bench.scenario.PubAckCheck}).
 */
package io.meshery.broker.bench.scenario;
