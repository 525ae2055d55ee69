package io.meshery.broker.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A NATS-compatible broker deployment: {@code kubectl get br} lists them. The operator turns each one into a
 * StatefulSet, a headless and a client Service, a ConfigMap with the node's nats.conf and, as asked, a
 * NetworkPolicy and a PodDisruptionBudget.
 */
@Group(Broker.GROUP)
@Version(Broker.VERSION)
@Kind(Broker.KIND)
@Plural("brokers")
@Singular("broker")
@ShortNames("br")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = Type.STRING)
@AdditionalPrinterColumn(name = "Internal", jsonPath = ".status.endpoint.internal", type = Type.STRING)
@AdditionalPrinterColumn(name = "External", jsonPath = ".status.endpoint.external", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class Broker extends CustomResource<BrokerSpec, BrokerStatus> implements Namespaced {
    public static final String GROUP = "meshery.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "Broker";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String CRD_NAME = "brokers." + GROUP;

    private static final long serialVersionUID = 1L;

    @Override
    protected BrokerSpec initSpec() {
        return BrokerSpec.empty();
    }
}
