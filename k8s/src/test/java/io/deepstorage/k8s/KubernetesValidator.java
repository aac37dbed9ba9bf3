package io.deepstorage.k8s;

import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict validation of built-in Kubernetes objects against the API models of client-java-api 20 (Kubernetes 1.28).
 *
 * <p>{@code Xxx.fromJson} runs the generated {@code validateJsonObject}, which rejects fields the API does not
 * define and missing required fields at every level, then binds the document with the client's Gson, which
 * rejects wrong scalar types and malformed quantities. On top of that, checks the API server makes but the
 * generated models cannot: enum-valued strings, and DNS-1123 object names.
 */
final class KubernetesValidator {
  private KubernetesValidator() {}

  static {
    new JSON(); // initialises the client's Gson (with Quantity/IntOrString/OffsetDateTime adapters)
  }

  interface Parser {
    Object parse(String json) throws IOException;
  }

  /** apiVersion/kind -> model. Only what this project applies (and Secret, for the templates). */
  static final Map<String, Parser> MODELS = Map.ofEntries(
      Map.entry("v1/Namespace", V1Namespace::fromJson),
      Map.entry("v1/ServiceAccount", V1ServiceAccount::fromJson),
      Map.entry("v1/ConfigMap", V1ConfigMap::fromJson),
      Map.entry("v1/Secret", V1Secret::fromJson),
      Map.entry("v1/ResourceQuota", V1ResourceQuota::fromJson),
      Map.entry("v1/LimitRange", V1LimitRange::fromJson),
      Map.entry("v1/Pod", V1Pod::fromJson),
      Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role::fromJson),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding::fromJson),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy::fromJson),
      Map.entry("batch/v1/CronJob", V1CronJob::fromJson),
      Map.entry("batch/v1/Job", V1Job::fromJson));

  /** String fields the API server restricts to a set of values (by key, and for ambiguous keys, by parent). */
  private static final Map<String, Set<String>> ENUMS = Map.ofEntries(
      Map.entry("concurrencyPolicy", Set.of("Allow", "Forbid", "Replace")),
      Map.entry("restartPolicy", Set.of("Always", "OnFailure", "Never")),
      Map.entry("imagePullPolicy", Set.of("Always", "IfNotPresent", "Never")),
      Map.entry("policyTypes", Set.of("Ingress", "Egress")),
      Map.entry("protocol", Set.of("TCP", "UDP", "SCTP")),
      Map.entry("effect", Set.of("NoSchedule", "PreferNoSchedule", "NoExecute")),
      Map.entry("tolerations.operator", Set.of("Equal", "Exists")),
      Map.entry("matchExpressions.operator", Set.of("In", "NotIn", "Exists", "DoesNotExist")),
      Map.entry("limits.type", Set.of("Container", "Pod", "PersistentVolumeClaim")),
      Map.entry("seccompProfile.type", Set.of("RuntimeDefault", "Localhost", "Unconfined")),
      Map.entry("rules.action", Set.of("FailJob", "Ignore", "Count")), // a Job's podFailurePolicy (1.28)
      Map.entry("onExitCodes.operator", Set.of("In", "NotIn")),
      Map.entry("Secret.type", Set.of("Opaque", "kubernetes.io/dockerconfigjson", "kubernetes.io/basic-auth",
          "kubernetes.io/tls", "kubernetes.io/ssh-auth", "kubernetes.io/dockercfg",
          "kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token")));

  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  static boolean knows(Map<String, Object> tree) {
    return MODELS.containsKey(tree.get("apiVersion") + "/" + tree.get("kind"));
  }

  /** Validates a document; returns the typed model object, or throws IllegalArgumentException with the reason. */
  static Object validate(Map<String, Object> tree) {
    String key = tree.get("apiVersion") + "/" + tree.get("kind");
    Parser parser = MODELS.get(key);
    if (parser == null) {
      throw new IllegalArgumentException("unknown apiVersion/kind " + key);
    }
    JsonElement json = Yaml2Json.toJson(tree);
    Object typed;
    try {
      typed = parser.parse(json.toString());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
    if (typed == null) {
      throw new IllegalArgumentException(key + ": empty document");
    }
    List<String> errors = new ArrayList<>();
    checkMetadata(tree.get("metadata"), "metadata", errors);
    checkEnums(tree, String.valueOf(tree.get("kind")), errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(key + ": " + String.join("; ", errors));
    }
    return typed;
  }

  /**
   * Object metadata as the API server wants it for a create: a DNS-1123 name, or for a hand-created object
   * ({@code kubectl create}) a generateName the server completes with 5 random characters (a DNS-1123 prefix; a
   * trailing '-' is allowed).
   */
  static void checkMetadata(Object metadata, String path, List<String> errors) {
    if (!(metadata instanceof Map<?, ?> m)) {
      errors.add(path + " is required");
      return;
    }
    try {
      V1ObjectMeta.fromJson(Yaml2Json.toJson(metadata).toString());
    } catch (IOException | RuntimeException e) {
      errors.add(path + ": " + e.getMessage());
      return;
    }
    Object name = m.get("name");
    if (name == null && m.get("generateName") instanceof String g && !g.isEmpty()) {
      String completed = g + "abcde";
      if (completed.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(completed).matches()) {
        errors.add(path + ".generateName '" + g + "' does not start a DNS-1123 subdomain");
      }
    } else if (!(name instanceof String s) || s.isEmpty()) {
      errors.add(path + ".name is required");
    } else if (s.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(s).matches()) {
      errors.add(path + ".name '" + s + "' is not a DNS-1123 subdomain");
    }
  }

  /** Checks the enum-valued strings of a (sub)tree; kind is used for kind-specific enums. */
  static void checkEnums(Object root, String kind, List<String> errors) {
    Trees.walk(root, "", (path, value) -> {
      if (value instanceof Map || value == null) {
        return;
      }
      String[] segs = path.split("\\.");
      String leaf = segs[segs.length - 1];
      String parentKey = null;
      if (leaf.matches("\\d+")) { // list item: the enum applies to the list's key (policyTypes)
        leaf = segs.length > 1 ? segs[segs.length - 2] : leaf;
      } else {
        for (int i = segs.length - 2; i >= 0; i--) {
          if (!segs[i].matches("\\d+")) {
            parentKey = segs[i];
            break;
          }
        }
      }
      if (value instanceof List) {
        return;
      }
      Set<String> allowed = ENUMS.get(parentKey + "." + leaf);
      if (allowed == null && segs.length == 1) {
        allowed = ENUMS.get(kind + "." + leaf);
      }
      if (allowed == null && !leaf.equals("operator") && !leaf.equals("type")) {
        allowed = ENUMS.get(leaf);
      }
      if (allowed != null && !allowed.contains(String.valueOf(value))) {
        errors.add(path + ": '" + value + "' is not one of " + allowed);
      }
    });
  }
}
