package io.deepstorage.k8s;

import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FlinkDeployment validation: the operator's CRD schema (strict, closed objects), plus the pod templates as real
 * Kubernetes Pods (client-java models), plus the fields this project requires although the CRD leaves them
 * optional (without them the operator either rejects the resource or falls back to defaults we do not want).
 */
final class FlinkDeploymentValidator {
  private FlinkDeploymentValidator() {}

  private static final CrdSchemaValidator CRD = CrdSchemaValidator.flinkDeployments();

  static final List<String> REQUIRED = List.of(
      "spec.image",
      "spec.flinkVersion",
      "spec.serviceAccount",
      "spec.jobManager.resource.cpu",
      "spec.jobManager.resource.memory",
      "spec.taskManager.resource.cpu",
      "spec.taskManager.resource.memory",
      "spec.job.jarURI",
      "spec.job.entryClass",
      "spec.job.upgradeMode",
      "spec.job.state");

  static List<String> validate(Map<String, Object> tree) {
    List<String> errors = new ArrayList<>(CRD.validate(tree));
    for (String path : REQUIRED) {
      if (Trees.get(tree, path) == null) {
        errors.add(path + ": required field is missing");
      }
    }
    for (String path : List.of("spec.podTemplate", "spec.jobManager.podTemplate", "spec.taskManager.podTemplate")) {
      Object template = Trees.get(tree, path);
      if (template != null) {
        try {
          V1Pod.fromJson(Yaml2Json.toJson(template).toString());
        } catch (IOException | RuntimeException e) {
          errors.add(path + " is not a valid Pod: " + e.getMessage());
        }
        List<String> enumErrors = new ArrayList<>();
        KubernetesValidator.checkEnums(template, "Pod", enumErrors);
        enumErrors.forEach(e -> errors.add(path + "." + e));
      }
    }
    return errors;
  }

  /** Validates and throws IllegalArgumentException listing every violation. */
  static void check(Map<String, Object> tree) {
    List<String> errors = validate(tree);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("FlinkDeployment: " + String.join("; ", errors));
    }
  }
}
