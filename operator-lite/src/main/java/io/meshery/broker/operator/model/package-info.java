/**
 * The pure model: a {@code Broker} in, the Kubernetes objects it should become out.
 *
 * <p>{@link io.meshery.broker.operator.model.BrokerCluster#fromCrd} reads a Broker (and the Secrets it refers to,
 * fetched by the caller) and its {@code generate*} methods return the desired StatefulSet, Services, ConfigMap,
 * NetworkPolicy and PodDisruptionBudget, or {@code null} for an object that should not exist.
 * {@link io.meshery.broker.operator.model.BrokerStatusModel} turns what was observed into the Broker's status.
 * Nothing here talks to the API server or imports the fabric8 client ({@code ModelPurityTest} checks it): the
 * classes are tested with plain objects in and plain objects out.
 */
package io.meshery.broker.operator.model;
