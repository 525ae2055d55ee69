package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import java.util.Map;

/** The client Service, named after the Broker. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BrokerServiceSpec(
        @JsonPropertyDescription("Service type.") @Default(Defaults.SERVICE_TYPE) ServiceType type,

        @JsonPropertyDescription("Annotations of the client Service (cloud load balancer settings).")
        Map<String, String> annotations,

        @JsonPropertyDescription("LoadBalancer class (type LoadBalancer only).") String loadBalancerClass,

        @JsonPropertyDescription("Client CIDRs allowed by the load balancer (type LoadBalancer only).")
        List<String> loadBalancerSourceRanges,

        @JsonPropertyDescription("host or host:port reported as status.endpoint.external instead of the derived one.")
        @Pattern(Defaults.HOST_PORT_PATTERN)
        String externalEndpointOverride) {

    public BrokerServiceSpec {
        type = type == null ? ServiceType.valueOf(Defaults.SERVICE_TYPE) : type;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        loadBalancerSourceRanges = loadBalancerSourceRanges == null ? List.of() : List.copyOf(loadBalancerSourceRanges);
    }
}
