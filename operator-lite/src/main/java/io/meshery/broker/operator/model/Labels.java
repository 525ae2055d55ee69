package io.meshery.broker.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotation keys put on every generated object. */
public final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The seed's short label: {@code kubectl get pods -l app=meshery-broker}. */
    public static final String APP = "app";

    public static final String NAME_VALUE = "meshery-broker";
    public static final String COMPONENT_VALUE = "broker";
    public static final String MANAGED_BY_VALUE = "meshery-broker-operator";

    /** Pod template annotation: a digest of the generated configuration; a change rolls the pods. */
    public static final String CONFIG_HASH = "broker.meshery.io/config-hash";

    private Labels() {}

    /** The immutable StatefulSet selector, also used by the Services, the PDB and the NetworkPolicy. */
    public static Map<String, String> selector(String broker) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NAME, NAME_VALUE);
        m.put(INSTANCE, broker);
        return m;
    }

    /** All labels of a generated object. */
    public static Map<String, String> of(String broker) {
        Map<String, String> m = selector(broker);
        m.put(COMPONENT, COMPONENT_VALUE);
        m.put(MANAGED_BY, MANAGED_BY_VALUE);
        m.put(APP, broker);
        return m;
    }

    /** Label selector of the broker pods as a string, for {@code status.selector}. */
    public static String selectorString(String broker) {
        StringBuilder sb = new StringBuilder();
        selector(broker).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }
}
