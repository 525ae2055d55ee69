package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Client endpoints as {@code host:port}, no scheme; empty when not known (e.g. a pending load balancer). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Endpoint(
    @JsonPropertyDescription("In-cluster address of the client Service.") String internal,
    @JsonPropertyDescription("Address reachable from outside the cluster, if any.") String external) {}
