/** operator-lite: reconciles the Broker custom resource. */
package io.meshery.broker.operator;
