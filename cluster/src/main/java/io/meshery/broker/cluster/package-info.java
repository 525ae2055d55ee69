/**
 * Cluster membership, interest gossip and one-hop forwarding between broker nodes on Pekko Cluster.
 * Filled in by the clustering work; the node's subscription index already lets a remote node hold interest.
 */
package io.meshery.broker.cluster;
