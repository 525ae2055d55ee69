package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/**
 * One allowed peer of the NetworkPolicy: pods with these labels (in namespaces with namespaceLabels, or the
 * Broker's namespace when absent), or an address block.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllowedClient(
    @JsonPropertyDescription("Labels of the client pods, e.g. app: meshery-meshsync.") Map<String, String> podLabels,
    @JsonPropertyDescription("Labels of the client pods' namespaces.") Map<String, String> namespaceLabels,
    @JsonPropertyDescription("A CIDR, e.g. 10.0.0.0/8.") String cidr) {}
