/**
 * The {@code Broker} custom resource ({@code brokers.meshery.io/v1alpha1}) as Java types.
 *
 * <p>These classes are the single source of the CRD: {@code k8s/crds/brokers.meshery.io-v1.yml} is generated
 * from them by fabric8's CRD generator (see {@code CrdGenerationTest}). Schema defaults are declared with
 * {@code @Default} and the same defaults are applied by each record's compact constructor, so a spec read by the
 * operator looks the same whether or not the API server defaulted it
 * ({@code ManifestsTest#schemaDefaultsAreTheJavaDefaults} checks they agree).
 */
package io.meshery.broker.operator.api;
