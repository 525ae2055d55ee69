/**
 * The node's assembly: {@link io.meshery.broker.node.BrokerNode} starts the actor system under its
 * {@link io.meshery.broker.node.NodeGuardian}, the client listener and the monitoring port, and stops them;
 * {@link io.meshery.broker.node.LameDuck} sends the clients away. It sits above {@code server} and
 * {@code monitor}, which import nothing from here (pinned by {@code NodeLayeringTest}).
 */
package io.meshery.broker.node;
