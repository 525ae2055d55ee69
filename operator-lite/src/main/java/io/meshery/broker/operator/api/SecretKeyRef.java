package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the Broker's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
        @JsonPropertyDescription("Name of the Secret.") @Required @Size(min = 1, max = 253)
        @Pattern(Defaults.DNS_SUBDOMAIN_PATTERN)
        String name,

        @JsonPropertyDescription("Key in the Secret.") @Default(Defaults.USERS_KEY) @Pattern(Defaults.SECRET_KEY_PATTERN)
        String key) {

    public SecretKeyRef {
        key = key == null ? Defaults.USERS_KEY : key;
    }
}
