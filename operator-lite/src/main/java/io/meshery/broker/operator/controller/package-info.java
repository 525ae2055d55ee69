/**
 * The part of the operator that talks to the API server: {@link io.meshery.broker.operator.controller.BrokerReconciler}
 * (one reconcile of one Broker), {@link io.meshery.broker.operator.controller.ResourceApplier} (the one generic
 * create-or-update-or-delete, used for every kind), {@link io.meshery.broker.operator.controller.BrokerController}
 * (informers feeding a work queue) and {@link io.meshery.broker.operator.controller.LeaderElection}.
 */
package io.meshery.broker.operator.controller;
