package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** What the user asks for. Absent fields take the defaults in {@link Defaults}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BrokerSpec(
        @JsonPropertyDescription("Number of broker pods (StatefulSet replicas). The broker does not cluster yet: "
                + "with more than one pod each pod is a separate broker behind the same Service, and a subscriber "
                + "on one pod does not get messages published on another. Keep 1 when publishers and subscribers "
                + "must meet.")
        @Min(1) @Max(Defaults.MAX_SIZE) @Default(Defaults.SIZE_STR) @SpecReplicas
        Integer size,

        @JsonPropertyDescription("Broker version: the tag of the operator's default broker image. "
                + "Ignored when image is set.")
        @Pattern(Defaults.TAG_PATTERN)
        String version,

        @JsonPropertyDescription("Full broker image reference; overrides version.")
        @Pattern(Defaults.IMAGE_PATTERN)
        String image,

        @JsonPropertyDescription("Clustering (not implemented by the broker yet): the operator writes a cluster "
                + "block with seed routes and opens the cluster and management ports, but the pods do not form a "
                + "cluster; each starts with a warning and runs as a separate broker.")
        @Default("{}")
        ClusteringSpec clustering,

        @JsonPropertyDescription("JetStream streams and consumers: the operator creates one PersistentVolumeClaim "
                + "per pod, mounted at /data, and writes a jetstream block; each pod stores its streams and "
                + "durable consumers on its claim. Nothing is replicated: with more than one pod a stream and "
                + "its consumers live only on the pod that created them.")
        @Default("{}")
        JetStreamSpec jetstream,

        @JsonPropertyDescription("Client authentication from a Secret (key users.json by default).")
        AuthSpec auth,

        @JsonPropertyDescription("TLS for client connections from a kubernetes.io/tls Secret.")
        @Default("{}")
        TlsSpec tls,

        @JsonPropertyDescription("Compute resources of the broker container.")
        ResourceRequirements resources,

        @JsonPropertyDescription("The client Service.")
        @Default("{}")
        BrokerServiceSpec service,

        @JsonPropertyDescription("Server settings written to nats.conf.")
        @Default("{}")
        NatsConfigSpec config,

        @JsonPropertyDescription("An optional NetworkPolicy restricting who may connect.")
        @Default("{}")
        NetworkPolicySpec networkPolicy,

        @JsonPropertyDescription("An optional PodDisruptionBudget.")
        @Default("{}")
        PodDisruptionBudgetSpec podDisruptionBudget) {

    public BrokerSpec {
        size = size == null ? Defaults.SIZE : size;
        clustering = clustering == null ? new ClusteringSpec(null) : clustering;
        jetstream = jetstream == null ? new JetStreamSpec(null, null, null) : jetstream;
        tls = tls == null ? new TlsSpec(null, null, null) : tls;
        service = service == null ? new BrokerServiceSpec(null, null, null, null, null) : service;
        config = config == null ? new NatsConfigSpec(null, null, null, null, null, null, null) : config;
        networkPolicy = networkPolicy == null ? new NetworkPolicySpec(null, null) : networkPolicy;
        podDisruptionBudget = podDisruptionBudget == null ? new PodDisruptionBudgetSpec(null, null) : podDisruptionBudget;
    }

    /** The spec of {@code spec: {}}: every default. */
    public static BrokerSpec empty() {
        return new BrokerSpec(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A copy with another size. */
    public BrokerSpec withSize(int newSize) {
        return new BrokerSpec(newSize, version, image, clustering, jetstream, auth, tls, resources, service, config,
                networkPolicy, podDisruptionBudget);
    }
}
