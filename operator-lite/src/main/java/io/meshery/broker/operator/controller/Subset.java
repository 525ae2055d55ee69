package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * "Is everything the operator wants already there?" on JSON trees (maps, lists, scalars). The current object
 * may hold more than the desired one (fields the API server defaults, annotations others add) and still match;
 * a field the operator sets to another value, or a list of another length, does not match.
 *
 * <p>As Go's {@code omitempty} drops them on the server, an empty map or list, {@code false}, {@code 0} and
 * {@code ""} in the desired tree match an absent field. Under {@code resources}, quantities are compared by
 * value ({@code 1024Mi} matches {@code 1Gi}).
 */
final class Subset {
    private Subset() {}

    static boolean matches(Object desired, Object current) {
        return matches(desired, current, false);
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Object desired, Object current, boolean quantities) {
        if (desired == null) {
            return true;
        }
        if (current == null) {
            return isEmpty(desired);
        }
        if (desired instanceof Map<?, ?> d) {
            if (!(current instanceof Map<?, ?> c)) {
                return false;
            }
            for (Map.Entry<?, ?> e : d.entrySet()) {
                boolean q = quantities || "resources".equals(e.getKey());
                if (!matches(e.getValue(), ((Map<Object, Object>) c).get(e.getKey()), q)) {
                    return false;
                }
            }
            return true;
        }
        if (desired instanceof List<?> d) {
            if (!(current instanceof List<?> c) || d.size() != c.size()) {
                return false;
            }
            for (int i = 0; i < d.size(); i++) {
                if (!matches(d.get(i), c.get(i), quantities)) {
                    return false;
                }
            }
            return true;
        }
        if (desired instanceof Number d && current instanceof Number c) {
            return new BigDecimal(d.toString()).compareTo(new BigDecimal(c.toString())) == 0;
        }
        if (quantities && desired instanceof String d && current instanceof String c && !d.equals(c)) {
            try {
                return Quantity.parse(d).compareTo(Quantity.parse(c)) == 0;
            } catch (RuntimeException notAQuantity) {
                return false;
            }
        }
        return Objects.equals(desired, current);
    }

    private static boolean isEmpty(Object v) {
        return (v instanceof Map<?, ?> m && m.isEmpty())
                || (v instanceof List<?> l && l.isEmpty())
                || Boolean.FALSE.equals(v)
                || (v instanceof Number n && n.doubleValue() == 0)
                || "".equals(v);
    }
}
