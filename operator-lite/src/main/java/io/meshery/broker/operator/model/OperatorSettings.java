package io.meshery.broker.operator.model;

/**
 * Operator-wide settings that shape the generated objects.
 *
 * @param imageRepository broker image repository used with {@code spec.version}
 * @param defaultVersion image tag when {@code spec.version} is absent
 * @param clusterDomain the cluster's DNS domain, {@code cluster.local} by default
 * @param nodePortHost host reported in {@code status.endpoint.external} for NodePort Services (may be null)
 */
public record OperatorSettings(String imageRepository, String defaultVersion, String clusterDomain,
        String nodePortHost) {
    public static final String DEFAULT_IMAGE_REPOSITORY = "meshery/meshery-broker";
    public static final String DEFAULT_VERSION = "0.1.0";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    public static OperatorSettings defaults() {
        return new OperatorSettings(DEFAULT_IMAGE_REPOSITORY, DEFAULT_VERSION, DEFAULT_CLUSTER_DOMAIN, null);
    }

    public OperatorSettings withNodePortHost(String host) {
        return new OperatorSettings(imageRepository, defaultVersion, clusterDomain, host);
    }
}
