package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** JetStream: a volume claim template per pod, mounted at /data; the store is capped at the claim's size. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JetStreamSpec(
        @JsonPropertyDescription("Turn JetStream on: create the claims and the jetstream block "
                + "(store_dir /data/jetstream).") @Default("false") Boolean enabled,

        @JsonPropertyDescription("StorageClass of the claims; the cluster default when empty.") String storageClass,

        @JsonPropertyDescription("Size of each pod's claim, e.g. 10Gi; also the store's max_file_store.")
        @Default(Defaults.STORAGE_SIZE) @Pattern(Defaults.BYTES_PATTERN)
        String storageSize) {

    public JetStreamSpec {
        enabled = enabled != null && enabled;
        storageSize = storageSize == null ? Defaults.STORAGE_SIZE : storageSize;
    }
}
