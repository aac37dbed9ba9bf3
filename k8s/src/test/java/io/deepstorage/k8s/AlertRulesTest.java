package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The bronze alerts under promtool (Prometheus' own rule checker and rule unit-test runner): the PrometheusRule's
 * groups, written out as the rule file Prometheus would load, pass {@code promtool check rules}, and
 * k8s/alerts/bronze-alerts-test.yaml shows each alert firing on bad series and staying quiet on good ones.
 *
 * <p>promtool comes from the environment variable PROMTOOL or the PATH; .ci/run installs it. Without it the
 * promtool tests fail when CI=true and are skipped elsewhere, so that {@code mvn -B verify} passes on a fresh
 * developer machine.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AlertRulesTest {
  static final Path TESTS = Repo.K8S.resolve("alerts/bronze-alerts-test.yaml");
  /** The rule file the tests name in rule_files; written from the PrometheusRule. */
  static final String RULES = "bronze-alerts.rules.yaml";

  static Manifest rule() {
    return Repo.appliedOne("PrometheusRule", "deep-storage-bronze-alerts");
  }

  static List<Object> groups() {
    return Trees.list(rule().tree(), "spec.groups");
  }

  static List<Object> alertingRules() {
    List<Object> rules = new ArrayList<>();
    for (Object group : groups()) {
      Trees.list(group, "rules").stream().filter(r -> Trees.get(r, "alert") != null).forEach(rules::add);
    }
    return rules;
  }

  /** The promtool to run, or the test is failed (CI) or skipped (elsewhere). */
  static Path promtool() {
    String configured = System.getenv("PROMTOOL");
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      if (!Files.isExecutable(p)) {
        fail("PROMTOOL=" + configured + " is not an executable file");
      }
      return p;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String missing = "promtool not found: set PROMTOOL or put promtool on PATH (.ci/run unpacks it from Debian's"
        + " prometheus package)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing);
    }
    Assumptions.abort(missing + "; skipping the promtool tests");
    return null;
  }

  /** The PrometheusRule's groups as a Prometheus rule file, and a copy of the promtool tests beside it. */
  static Path workspace(Path dir, List<Object> groups) throws IOException {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(1000);
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("groups", groups);
    Files.writeString(dir.resolve(RULES), new Yaml(options).dump(file));
    Files.copy(TESTS, dir.resolve(TESTS.getFileName()));
    return dir;
  }

  record Run(int exitCode, String output) {}

  static Run promtool(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(promtool().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("promtool " + String.join(" ", args) + " did not finish within 2 minutes:\n" + output);
    }
    return new Run(p.exitValue(), output);
  }

  @Test
  void the_rules_pass_promtool_check_rules(@TempDir Path dir) throws Exception {
    Run check = promtool(workspace(dir, groups()), "check", "rules", RULES);
    assertThat(check.exitCode()).as("promtool check rules:\n" + check.output()).isZero();
    int rules = groups().stream().mapToInt(g -> Trees.list(g, "rules").size()).sum();
    assertThat(check.output()).contains("SUCCESS: " + rules + " rules found");
  }

  @Test
  void every_alert_fires_on_its_bad_series_and_stays_quiet_on_its_good_ones(@TempDir Path dir) throws Exception {
    Run test = promtool(workspace(dir, groups()), "test", "rules", TESTS.getFileName().toString());
    assertThat(test.exitCode()).as("promtool test rules:\n" + test.output()).isZero();
  }

  @Test
  void the_promtool_tests_fail_when_the_alerts_never_fire(@TempDir Path dir) throws Exception {
    List<Object> broken = Trees.list(Yaml2Json.deepCopy(rule().tree()), "spec.groups");
    for (Object group : broken) {
      for (Object r : Trees.list(group, "rules")) {
        Trees.asMap(r).put("expr", "vector(0) > 1");
      }
    }
    Run test = promtool(workspace(dir, broken), "test", "rules", TESTS.getFileName().toString());
    assertThat(test.exitCode()).as(test.output()).isNotZero();
    assertThat(test.output()).contains("FAILED");
  }

  @Test
  void every_alert_has_a_case_that_fires_and_a_case_that_stays_quiet() {
    @SuppressWarnings("unchecked")
    Map<String, Object> tests = (Map<String, Object>) Yaml2Json.loadAll(Repo.read(TESTS)).get(0);
    assertThat(Trees.strings(tests, "rule_files")).containsExactly(RULES);
    Map<String, Set<String>> cases = new LinkedHashMap<>();
    for (Object test : Trees.list(tests, "tests")) {
      String inputs = String.valueOf(Trees.list(test, "input_series"));
      for (Object evaluation : Trees.list(test, "alert_rule_test")) {
        String alert = (String) Trees.get(evaluation, "alertname");
        Object rule = alertingRules().stream().filter(r -> alert.equals(Trees.get(r, "alert"))).findFirst()
            .orElseThrow(() -> new AssertionError("tests name an alert the rules lack: " + alert));
        // A case only counts if its series are the metric the alert is about.
        for (String metric : metricsIn(String.valueOf(Trees.get(rule, "expr")))) {
          assertThat(inputs).as(Trees.get(test, "name") + " feeds " + metric).contains(metric);
        }
        cases.computeIfAbsent(alert, a -> new LinkedHashSet<>())
            .add(Trees.list(evaluation, "exp_alerts").isEmpty() ? "quiet" : "fires");
      }
    }
    for (Object r : alertingRules()) {
      assertThat(cases.get((String) Trees.get(r, "alert"))).as((String) Trees.get(r, "alert"))
          .containsExactlyInAnyOrder("fires", "quiet");
    }
  }

  @Test
  void every_alert_says_what_it_means_and_where_the_runbook_is() {
    Set<String> anchors = new LinkedHashSet<>();
    Matcher heading = Pattern.compile("(?m)^#{2,4} (.+)$").matcher(Repo.read(Repo.ROOT.resolve("docs/operations.md")));
    while (heading.find()) {
      anchors.add(githubAnchor(heading.group(1)));
    }
    assertThat(alertingRules()).isNotEmpty().allSatisfy(r -> {
      String url = (String) Trees.get(r, "annotations.runbook_url");
      assertThat(url).startsWith("docs/operations.md#");
      assertThat(anchors).as("headings of docs/operations.md").contains(url.substring(url.indexOf('#') + 1));
    });
  }

  @Test
  void the_audit_alerts_name_only_gauges_the_audit_pushes_and_its_pushgateway_job() {
    String audit = Repo.read(Repo.ROOT.resolve("flink-bronze/src/main/java/io/deepstorage/bronze/AuditCommand.java"));
    Set<String> named = new LinkedHashSet<>();
    for (Object r : alertingRules()) {
      String expr = String.valueOf(Trees.get(r, "expr"));
      metricsIn(expr).stream().filter(n -> n.startsWith("deep_storage_audit_")).forEach(named::add);
      if (expr.contains("deep_storage_audit_")) {
        assertThat(expr).as(Trees.get(r, "alert") + " selects the Pushgateway's grouping label")
            .contains("{job=\"deep_storage_audit\"}");
      }
    }
    assertThat(named).containsExactlyInAnyOrder("deep_storage_audit_missing_events",
        "deep_storage_audit_last_run_timestamp_seconds");
    for (String metric : named) {
      assertThat(audit).as("AuditCommand pushes " + metric).contains("\"" + metric + "\"");
    }
    // The Pushgateway turns the push path /metrics/job/<job> into the label job="<job>".
    assertThat(audit).contains("/metrics/job/deep_storage_audit\"");
  }

  static Set<String> metricsIn(String expr) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\b(?:flink|deep_storage_audit)_[A-Za-z0-9_]+").matcher(expr);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
  static String githubAnchor(String heading) {
    return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }
}
