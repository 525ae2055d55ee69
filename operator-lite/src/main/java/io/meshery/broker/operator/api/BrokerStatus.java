package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** What the operator observed; written only by the operator, through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BrokerStatus(
        @JsonPropertyDescription("The metadata.generation this status describes.") Long observedGeneration,
        @JsonPropertyDescription("Conditions; type Ready tells whether the broker accepts connections.")
        List<Condition> conditions,
        @JsonPropertyDescription("Pods of the StatefulSet.") @StatusReplicas Integer replicas,
        @JsonPropertyDescription("Pods passing their readiness probe.") Integer readyReplicas,
        @JsonPropertyDescription("Where clients connect, as host:port.") Endpoint endpoint,
        @JsonPropertyDescription("Label selector of the broker pods (scale subresource).") @LabelSelector
        String selector) {

    public BrokerStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }
}
