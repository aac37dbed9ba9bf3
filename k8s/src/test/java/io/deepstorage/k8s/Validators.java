package io.deepstorage.k8s;

import java.util.Map;

/**
 * Dispatch on apiVersion/kind: built-in kinds to the Kubernetes models, FlinkDeployment to the Flink operator's CRD,
 * PrometheusRule to the Prometheus Operator's.
 */
final class Validators {
  private Validators() {}

  static void validate(Map<String, Object> tree) {
    if ("flink.apache.org/v1beta1".equals(tree.get("apiVersion")) && "FlinkDeployment".equals(tree.get("kind"))) {
      FlinkDeploymentValidator.check(tree);
    } else if ("monitoring.coreos.com/v1".equals(tree.get("apiVersion")) && "PrometheusRule".equals(tree.get("kind"))) {
      PrometheusRuleValidator.check(tree);
    } else {
      KubernetesValidator.validate(tree);
    }
  }
}
