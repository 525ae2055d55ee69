package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** A PodDisruptionBudget limiting voluntary evictions of broker pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodDisruptionBudgetSpec(
        @JsonPropertyDescription("Create the PodDisruptionBudget.") @Default("false") Boolean enabled,
        @JsonPropertyDescription("Pods that may be evicted at once.") @Min(0) @Default(Defaults.PDB_MAX_UNAVAILABLE_STR)
        Integer maxUnavailable) {

    public PodDisruptionBudgetSpec {
        enabled = enabled != null && enabled;
        maxUnavailable = maxUnavailable == null ? Defaults.PDB_MAX_UNAVAILABLE : maxUnavailable;
    }
}
