package io.deepstorage.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PrometheusRule validation: the CRD schema (strict, closed objects), plus what this project requires of every
 * alert although the CRD leaves it optional: a severity the on-call routing knows, and the annotations the person
 * paged reads first (summary, description, and a runbook pointer into docs/operations.md). The PromQL and the
 * templates are promtool's job (AlertRulesTest).
 */
final class PrometheusRuleValidator {
  private PrometheusRuleValidator() {}

  private static final CrdSchemaValidator CRD = CrdSchemaValidator.prometheusRules();

  static final List<String> SEVERITIES = List.of("warning", "critical");
  static final List<String> ANNOTATIONS = List.of("summary", "description", "runbook_url");

  static List<String> validate(Map<String, Object> tree) {
    List<String> errors = new ArrayList<>(CRD.validate(tree));
    if (!errors.isEmpty()) {
      return errors; // the project's rules below assume the schema's shape
    }
    List<Object> groups = Trees.list(tree, "spec.groups");
    if (groups.isEmpty()) {
      errors.add("spec.groups: no rule group");
      return errors;
    }
    for (int g = 0; g < groups.size(); g++) {
      List<Object> rules = Trees.list(groups.get(g), "rules");
      if (rules.isEmpty()) {
        errors.add("spec.groups." + g + ".rules: no rule");
        continue;
      }
      for (int r = 0; r < rules.size(); r++) {
        String path = "spec.groups." + g + ".rules." + r;
        Object rule = rules.get(r);
        Object alert = Trees.get(rule, "alert");
        Object record = Trees.get(rule, "record");
        if ((alert == null) == (record == null)) {
          errors.add(path + ": exactly one of alert and record must be set");
          continue;
        }
        if (alert == null) {
          continue;
        }
        Object severity = Trees.get(rule, "labels.severity");
        if (severity == null || !SEVERITIES.contains(severity)) {
          errors.add(path + ".labels.severity: '" + severity + "' is not one of " + SEVERITIES);
        }
        for (String annotation : ANNOTATIONS) {
          Object text = Trees.get(rule, "annotations." + annotation);
          if (!(text instanceof String s) || s.isBlank()) {
            errors.add(path + ".annotations." + annotation + ": required field is missing");
          }
        }
        if (Trees.get(rule, "annotations.runbook_url") instanceof String url && !url.startsWith("docs/operations.md#")) {
          errors.add(path + ".annotations.runbook_url: '" + url + "' does not point into docs/operations.md");
        }
      }
    }
    return errors;
  }

  /** Validates and throws IllegalArgumentException listing every violation. */
  static void check(Map<String, Object> tree) {
    List<String> errors = validate(tree);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("PrometheusRule: " + String.join("; ", errors));
    }
  }
}
