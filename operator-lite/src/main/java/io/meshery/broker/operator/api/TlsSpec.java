package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** TLS for client connections from a kubernetes.io/tls Secret (tls.crt, tls.key and optionally ca.crt). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!self.enabled || has(self.secretName)", message = "tls.secretName is required when tls is enabled")
public record TlsSpec(
        @JsonPropertyDescription("Require TLS on the client port.") @Default("false") Boolean enabled,

        @JsonPropertyDescription("kubernetes.io/tls Secret in the Broker's namespace.")
        @Pattern(Defaults.DNS_SUBDOMAIN_PATTERN)
        String secretName,

        @JsonPropertyDescription("Require and verify client certificates against ca.crt.") @Default("false")
        Boolean verify) {

    public TlsSpec {
        enabled = enabled != null && enabled;
        verify = verify != null && verify;
    }
}
