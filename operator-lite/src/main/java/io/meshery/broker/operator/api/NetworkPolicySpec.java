package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.List;

/**
 * A NetworkPolicy on the broker pods. Clients listed here may reach the client and monitor ports; the pods
 * always reach each other's cluster and management ports. With no clients listed, pods of the Broker's own
 * namespace may connect.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkPolicySpec(
        @JsonPropertyDescription("Create the NetworkPolicy.") @Default("false") Boolean enabled,

        @JsonPropertyDescription("Who may connect to the client (4222) and monitor (8222) ports.")
        List<AllowedClient> allowedClients) {

    public NetworkPolicySpec {
        enabled = enabled != null && enabled;
        allowedClients = allowedClients == null ? List.of() : List.copyOf(allowedClients);
    }
}
