package io.meshery.broker.operator.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small validator of objects against a CRD's structural OpenAPI v3 schema, doing what the API server does on
 * create: prune nothing but report unknown fields (as {@code kubectl apply} with strict field validation does),
 * apply {@code default}s, then check {@code type}, {@code required}, {@code minimum}/{@code maximum},
 * {@code minLength}/{@code maxLength}, {@code minItems}/{@code maxItems}, {@code enum}, {@code pattern},
 * {@code anyOf} and {@code x-kubernetes-int-or-string}. CEL rules ({@code x-kubernetes-validations}) are not
 * evaluated here; the operator's SpecValidator checks the same rules.
 */
final class SchemaValidator {
    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private final JSONSchemaProps root;
    private final KubernetesSerialization serialization;

    SchemaValidator(CustomResourceDefinition crd, KubernetesSerialization serialization) {
        this.root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        this.serialization = serialization;
    }

    /** The object after defaulting, and the problems found. */
    record Result(Map<String, Object> defaulted, List<String> problems) {}

    @SuppressWarnings("unchecked")
    Result validate(Object object) {
        Map<String, Object> tree = serialization.convertValue(object, Map.class);
        List<String> problems = new ArrayList<>();
        Map<String, Object> defaulted = (Map<String, Object>) defaults(tree, root);
        for (Map.Entry<String, Object> e : defaulted.entrySet()) {
            if (ROOT_FIELDS.contains(e.getKey())) {
                continue;
            }
            JSONSchemaProps p = root.getProperties().get(e.getKey());
            if (p == null) {
                problems.add(e.getKey() + ": unknown field");
            } else {
                check(e.getValue(), p, e.getKey(), problems);
            }
        }
        return new Result(defaulted, problems);
    }

    /** Applies defaults top-down, as the API server does: an absent field with a default gets it. */
    @SuppressWarnings("unchecked")
    private Object defaults(Object value, JSONSchemaProps schema) {
        if (value instanceof Map<?, ?> map && schema.getProperties() != null) {
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) map);
            for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
                if (out.get(p.getKey()) == null && p.getValue().getDefault() != null) {
                    out.put(p.getKey(), serialization.convertValue(p.getValue().getDefault(), Object.class));
                }
                if (out.get(p.getKey()) != null) {
                    out.put(p.getKey(), defaults(out.get(p.getKey()), p.getValue()));
                }
            }
            return out;
        }
        if (value instanceof List<?> list && schema.getItems() != null && schema.getItems().getSchema() != null) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(defaults(item, schema.getItems().getSchema()));
            }
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private void check(Object value, JSONSchemaProps s, String path, List<String> problems) {
        if (value == null) {
            return; // the API server drops nulls of non-nullable fields
        }
        if (s.getAnyOf() != null && !s.getAnyOf().isEmpty()) {
            boolean any = false;
            for (JSONSchemaProps alt : s.getAnyOf()) {
                List<String> altProblems = new ArrayList<>();
                check(value, alt, path, altProblems);
                any |= altProblems.isEmpty();
            }
            if (!any) {
                problems.add(path + ": matches none of anyOf");
            }
            if (s.getType() == null) {
                return;
            }
        }
        if (Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
            if (!(value instanceof String) && !isInteger(value)) {
                problems.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = s.getType();
        if (type != null && !hasType(value, type)) {
            problems.add(path + ": must be of type " + type + ", got " + value);
            return;
        }
        if (s.getEnum() != null && !s.getEnum().isEmpty()) {
            List<Object> allowed = s.getEnum().stream().map(n -> serialization.convertValue(n, Object.class)).toList();
            if (!allowed.contains(value)) {
                problems.add(path + ": must be one of " + allowed + ", got " + value);
            }
        }
        if (value instanceof Number n) {
            BigDecimal v = new BigDecimal(n.toString());
            if (s.getMinimum() != null && v.compareTo(BigDecimal.valueOf(s.getMinimum())) < 0) {
                problems.add(path + ": must be at least " + s.getMinimum() + ", got " + n);
            }
            if (s.getMaximum() != null && v.compareTo(BigDecimal.valueOf(s.getMaximum())) > 0) {
                problems.add(path + ": must be at most " + s.getMaximum() + ", got " + n);
            }
            if ("int32".equals(s.getFormat()) && (v.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0
                    || v.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0)) {
                problems.add(path + ": out of int32 range");
            }
        }
        if (value instanceof String str) {
            if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(str).find()) {
                problems.add(path + ": must match " + s.getPattern() + ", got \"" + str + "\"");
            }
            if (s.getMinLength() != null && str.length() < s.getMinLength()) {
                problems.add(path + ": shorter than " + s.getMinLength());
            }
            if (s.getMaxLength() != null && str.length() > s.getMaxLength()) {
                problems.add(path + ": longer than " + s.getMaxLength());
            }
        }
        if (value instanceof List<?> list) {
            if (s.getMinItems() != null && list.size() < s.getMinItems()) {
                problems.add(path + ": fewer than " + s.getMinItems() + " items");
            }
            if (s.getMaxItems() != null && list.size() > s.getMaxItems()) {
                problems.add(path + ": more than " + s.getMaxItems() + " items");
            }
            if (s.getItems() != null && s.getItems().getSchema() != null) {
                for (int i = 0; i < list.size(); i++) {
                    check(list.get(i), s.getItems().getSchema(), path + "[" + i + "]", problems);
                }
            }
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> m = (Map<String, Object>) map;
            if (s.getRequired() != null) {
                for (String r : s.getRequired()) {
                    if (m.get(r) == null) {
                        problems.add(path + "." + r + ": required");
                    }
                }
            }
            boolean preserve = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields());
            JSONSchemaProps additional = s.getAdditionalProperties() == null ? null : s.getAdditionalProperties().getSchema();
            for (Map.Entry<String, Object> e : m.entrySet()) {
                JSONSchemaProps p = s.getProperties() == null ? null : s.getProperties().get(e.getKey());
                if (p == null) {
                    p = additional;
                }
                if (p != null) {
                    check(e.getValue(), p, path + "." + e.getKey(), problems);
                } else if (!preserve) {
                    problems.add(path + "." + e.getKey() + ": unknown field");
                }
            }
        }
    }

    private static boolean hasType(Object v, String type) {
        return switch (type) {
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "string" -> v instanceof String;
            case "boolean" -> v instanceof Boolean;
            case "integer" -> isInteger(v);
            case "number" -> v instanceof Number;
            default -> true;
        };
    }

    private static boolean isInteger(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof java.math.BigInteger) {
            return true;
        }
        return v instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0;
    }
}
