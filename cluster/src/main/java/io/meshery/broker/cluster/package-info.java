/**
 * The cluster: membership on Pekko Cluster ({@link io.meshery.broker.cluster.ClusterNode}), the interest of each
 * node's clients told to the others ({@link io.meshery.broker.cluster.ClusterInterest}), and messages carried one
 * hop to the nodes that want them ({@link io.meshery.broker.cluster.RouteLink}, {@link
 * io.meshery.broker.cluster.RouteManager}). docs/cluster.md describes how a cluster forms and fails.
 */
package io.meshery.broker.cluster;
