package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Whether the pods form one cluster. Off: {@code size > 1} gives independent servers behind one Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusteringSpec(
        @JsonPropertyDescription("Ask the pods to form one cluster. Not implemented by the broker "
                + "yet: the pods stay separate brokers.") @Default("false") Boolean enabled) {

    public ClusteringSpec {
        enabled = enabled != null && enabled;
    }
}
