package io.deepstorage.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict validator for custom resources against the OpenAPI v3 structural schema of their CRD.
 *
 * <p>Checks types, required properties, enums, string patterns and minimum lengths, anyOf/int-or-string, and treats
 * every object as closed (an unknown field is an error) unless the schema declares additionalProperties or x-kubernetes-preserve-unknown-fields. The
 * API server would silently prune unknown fields and the operator's model classes ignore them, so a typo there
 * would otherwise be dropped without a word.
 */
final class CrdSchemaValidator {
  private final String group;
  private final String kind;
  private final Map<String, Object> crd;

  private CrdSchemaValidator(Map<String, Object> crd) {
    this.crd = crd;
    this.group = (String) Trees.get(crd, "spec.group");
    this.kind = (String) Trees.get(crd, "spec.names.kind");
  }

  /** Loads a CRD from the classpath, e.g. the one the operator API jar ships under META-INF/fabric8. */
  @SuppressWarnings("unchecked")
  static CrdSchemaValidator fromClasspath(String resource) {
    try (InputStream in = CrdSchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD not on classpath: " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new CrdSchemaValidator((Map<String, Object>) Yaml2Json.loadAll(text).get(0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CrdSchemaValidator flinkDeployments() {
    return fromClasspath("META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml");
  }

  /** The Prometheus Operator's PrometheusRule, from this module's test resources (see the file's header). */
  static CrdSchemaValidator prometheusRules() {
    return fromClasspath("crds/prometheusrules.monitoring.coreos.com.yaml");
  }

  String kind() {
    return kind;
  }

  /** All schema violations of a custom resource document (empty when valid). */
  List<String> validate(Map<String, Object> resource) {
    List<String> errors = new ArrayList<>();
    String apiVersion = String.valueOf(resource.get("apiVersion"));
    if (!kind.equals(resource.get("kind"))) {
      errors.add("kind: expected " + kind + " but was " + resource.get("kind"));
    }
    Map<String, Object> schema = null;
    for (Object v : Trees.list(crd, "spec.versions")) {
      if (apiVersion.equals(group + "/" + Trees.get(v, "name")) && Boolean.TRUE.equals(Trees.get(v, "served"))) {
        schema = Trees.map(v, "schema.openAPIV3Schema");
      }
    }
    if (schema == null) {
      errors.add("apiVersion: " + apiVersion + " is not a served version of " + group + "/" + kind);
      return errors;
    }
    // apiVersion, kind and metadata are implicit in every CRD schema; metadata is a standard ObjectMeta.
    KubernetesValidator.checkMetadata(resource.get("metadata"), "metadata", errors);
    for (Map.Entry<String, Object> e : resource.entrySet()) {
      String k = e.getKey();
      if (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata")) {
        continue;
      }
      Map<String, Object> props = subMap(schema, "properties");
      if (props == null || !props.containsKey(k)) {
        errors.add(k + ": unknown field");
      } else {
        check(e.getValue(), subMap(props, k), k, errors);
      }
    }
    for (Object req : (List<?>) schema.getOrDefault("required", List.of())) {
      if (!resource.containsKey(req)) {
        errors.add(req + ": required field is missing");
      }
    }
    return errors;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> subMap(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Map ? (Map<String, Object>) v : null;
  }

  @SuppressWarnings("unchecked")
  static void check(Object value, Map<String, Object> schema, String path, List<String> errors) {
    if (value == null) {
      if (!Boolean.TRUE.equals(schema.get("nullable"))) {
        errors.add(path + ": null is not allowed");
      }
      return;
    }
    if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
      if (!(value instanceof String) && !isInteger(value)) {
        errors.add(path + ": expected an integer or a string but was " + describe(value));
      }
      return;
    }
    if (schema.get("anyOf") instanceof List<?> anyOf) {
      boolean ok = false;
      for (Object branch : anyOf) {
        List<String> branchErrors = new ArrayList<>();
        check(value, (Map<String, Object>) branch, path, branchErrors);
        ok |= branchErrors.isEmpty();
      }
      if (!ok) {
        errors.add(path + ": matches none of anyOf " + anyOf);
        return;
      }
    }
    Object type = schema.get("type");
    if (type != null && !hasType(value, String.valueOf(type))) {
      errors.add(path + ": expected " + type + " but was " + describe(value));
      return;
    }
    if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
      errors.add(path + ": '" + value + "' is not one of " + allowed);
    }
    if (value instanceof String text) {
      // The API server's patterns are RE2; the ones in our CRDs mean the same in java.util.regex.
      if (schema.get("pattern") instanceof String pattern && !Pattern.compile(pattern).matcher(text).find()) {
        errors.add(path + ": '" + text + "' does not match " + pattern);
      }
      if (schema.get("minLength") instanceof Number min && text.length() < min.intValue()) {
        errors.add(path + ": '" + text + "' is shorter than " + min);
      }
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> props = subMap(schema, "properties");
      Object additional = schema.get("additionalProperties");
      boolean preserve = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = String.valueOf(e.getKey());
        String p = path + "." + k;
        if (props != null && props.containsKey(k)) {
          check(e.getValue(), subMap(props, k), p, errors);
        } else if (additional instanceof Map) {
          check(e.getValue(), (Map<String, Object>) additional, p, errors);
        } else if (!Boolean.TRUE.equals(additional) && !preserve) {
          errors.add(p + ": unknown field");
        }
      }
      for (Object req : (List<Object>) schema.getOrDefault("required", List.of())) {
        if (!map.containsKey(req)) {
          errors.add(path + "." + req + ": required field is missing");
        }
      }
    }
    if (value instanceof List<?> list && schema.get("items") instanceof Map<?, ?> items) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), (Map<String, Object>) items, path + "." + i, errors);
      }
    }
  }

  private static boolean hasType(Object value, String type) {
    return switch (type) {
      case "object" -> value instanceof Map;
      case "array" -> value instanceof List;
      case "string" -> value instanceof String;
      case "integer" -> isInteger(value);
      case "number" -> value instanceof Number;
      case "boolean" -> value instanceof Boolean;
      default -> false;
    };
  }

  private static boolean isInteger(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger;
  }

  private static String describe(Object v) {
    return (v instanceof Map ? "an object" : v instanceof List ? "an array" : v.getClass().getSimpleName() + " " + v);
  }
}
