package io.meshery.broker.operator.api;

/** How the client Service is exposed. */
public enum ServiceType {
  ClusterIP,
  NodePort,
  LoadBalancer
}
