package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * Client authentication. The referenced Secret holds JSON under {@code key}: either
 * {@code {"users":[{"user":"u","password":"p"}]}} (passwords may be bcrypt hashes; a user may have
 * {@code permissions}) or {@code {"token":"t"}}. The key is mounted into the pods as users.json, which the node
 * reads ({@code authorization { users_file }}).
 */
public record AuthSpec(
    @JsonPropertyDescription("The Secret (in the Broker's namespace) and key holding users.json.") @Required
    SecretKeyRef secretRef) {}
