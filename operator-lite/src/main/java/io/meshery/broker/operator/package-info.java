/**
 * operator-lite: reconciles the {@code Broker} custom resource into a running broker deployment.
 *
 * <p>Packages: {@code api} (the custom resource's Java types, the source of the CRD), {@code model} (pure:
 * Broker in, desired objects and status out), {@code controller} (the only code that talks to the API server:
 * reconciler, informers, leader election). {@link io.meshery.broker.operator.Main} wires them together.
 */
package io.meshery.broker.operator;
