package io.meshery.broker.operator.model;

import static io.meshery.broker.operator.TestSupport.brokerYaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpecValidatorTest {
    static List<String> problems(String name, String spec) {
        return SpecValidator.validate(brokerYaml("apiVersion: meshery.io/v1alpha1\nkind: Broker\nmetadata:\n  name: "
                + name + "\n  namespace: n\nspec:\n" + spec.indent(2)));
    }

    @Test
    void defaultsAreValid() {
        assertEquals(List.of(), problems("meshery-broker", "{}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "b|size: 0|spec.size",
            "b|size: 11|spec.size",
            "b|version: 'a b'|spec.version",
            "b|jetstream: {storageSize: 0Gi}|storageSize must be positive",
            "b|jetstream: {storageSize: big}|storageSize is not a size",
            "b|config: {maxPayload: 100Mi}|maxPayload must be at most",
            "b|config: {lameDuckDuration: 30}|lameDuckDuration",
            "b|config: {lameDuckDuration: 10s}|lameDuckDuration must be at least 30s",
            "b|tls: {enabled: true}|tls.secretName is required",
            "b|auth: {secretRef: {name: a, key: 'a key'}}|spec.auth.secretRef.key",
            "b|auth: {secretRef: {}}|spec.auth.secretRef.name",
            "b|service: {loadBalancerSourceRanges: [everywhere]}|not a CIDR",
            "b|service: {externalEndpointOverride: 'nats://x:1'}|externalEndpointOverride",
            "b|networkPolicy: {allowedClients: [{}]}|allowedClients[0]",
            "b|networkPolicy: {allowedClients: [{cidr: 10.0.0.0/8, podLabels: {a: b}}]}|allowedClients[0]",
            "9lives|{}|metadata.name",
            "a-name-that-is-much-too-long-for-a-statefulset-pod-name|{}|metadata.name"})
    void reportsEachRule(String name, String spec, String expected) {
        List<String> p = problems(name, spec);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains(expected), p.get(0));
    }
}
