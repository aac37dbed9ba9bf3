package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validators can fail: a deliberately broken copy of every kind we apply (a typo'd field, a missing required
 * field, a bad enum value or a wrong type) is rejected, for the reason expected (the message names the field, the
 * bad value, or the type mismatch).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokenManifestsAreRejectedTest {

  record Breakage(String kind, String name, String what, Consumer<Map<String, Object>> mutation, String mentions) {
    @Override
    public String toString() {
      return kind + (name == null ? "" : "/" + name) + ": " + what;
    }
  }

  static Breakage typo(String kind, String name, String path, String newLeaf) {
    return new Breakage(kind, name, "typo " + path + " -> " + newLeaf,
        t -> Trees.rename(t, path, newLeaf), newLeaf);
  }

  static Breakage missing(String kind, String name, String path, String mentions) {
    return new Breakage(kind, name, "missing " + path, t -> Trees.set(t, path, Trees.REMOVE), mentions);
  }

  static Breakage bad(String kind, String name, String path, Object value, String mentions) {
    return new Breakage(kind, name, "bad value " + path + " = " + value, t -> Trees.set(t, path, value), mentions);
  }

  static final String CJ_POD = "spec.jobTemplate.spec.template.spec";
  static final String FLINK_POD = "spec.podTemplate.spec";
  static final String JOB_POD = "spec.template.spec";
  /** Hand-created objects are found by their generateName. */
  static final String REPLAY = "deep-storage-replay-";

  static Stream<Breakage> breakages() {
    List<Breakage> b = new ArrayList<>();
    // Namespace
    b.add(typo("Namespace", null, "metadata.labels", "lables"));
    b.add(missing("Namespace", null, "metadata.name", "name"));
    b.add(bad("Namespace", null, "metadata.labels", List.of("name=analytics-jobs"), "labels"));
    // ServiceAccount
    b.add(typo("ServiceAccount", "spark-jobs", "automountServiceAccountToken", "automountServiceAccountTokens"));
    b.add(missing("ServiceAccount", "flink-bronze", "metadata.name", "name"));
    b.add(bad("ServiceAccount", "flink-bronze", "imagePullSecrets", "ghcr-pull-secret", "JsonArray"));
    // Role
    b.add(typo("Role", null, "rules.0.verbs", "verb"));
    b.add(missing("Role", null, "rules.0.verbs", "verbs"));
    b.add(bad("Role", null, "rules.0.verbs", "get", "verbs"));
    // RoleBinding
    b.add(typo("RoleBinding", null, "roleRef.apiGroup", "apigroup"));
    b.add(missing("RoleBinding", null, "roleRef", "roleRef"));
    b.add(bad("RoleBinding", null, "subjects", Map.of("kind", "ServiceAccount"), "JsonArray"));
    // ResourceQuota
    b.add(typo("ResourceQuota", null, "spec.hard", "hrad"));
    b.add(missing("ResourceQuota", null, "metadata.name", "name"));
    b.add(bad("ResourceQuota", null, "spec.hard.requests\\.memory", "lots", "lots"));
    // LimitRange
    b.add(typo("LimitRange", null, "spec.limits.0.defaultRequest", "defaultRequests"));
    b.add(missing("LimitRange", null, "spec.limits.0.type", "type"));
    b.add(bad("LimitRange", null, "spec.limits.0.type", "Node", "Node"));
    // NetworkPolicy
    b.add(typo("NetworkPolicy", "allow-s3-egress", "spec.egress.0.ports", "port"));
    b.add(missing("NetworkPolicy", "default-deny-all", "spec.podSelector", "podSelector"));
    b.add(bad("NetworkPolicy", "default-deny-all", "spec.policyTypes.1", "Egres", "Egres"));
    b.add(bad("NetworkPolicy", "allow-dns-egress", "spec.egress.0.ports.0.protocol", "DNS", "DNS"));
    // ConfigMap
    b.add(typo("ConfigMap", "deep-storage-spark-config", "data", "datas"));
    b.add(missing("ConfigMap", "deep-storage-spark-config", "metadata.name", "name"));
    b.add(bad("ConfigMap", "deep-storage-spark-config", "data.S3_BUCKET", Map.of("name", "rbs"), "Expected STRING"));
    // CronJob
    b.add(typo("CronJob", "deep-storage-silver", "spec.concurrencyPolicy", "concurrencypolicy"));
    b.add(typo("CronJob", "deep-storage-gold", CJ_POD + ".tolerations", "toleration"));
    b.add(missing("CronJob", "deep-storage-silver", "spec.schedule", "schedule"));
    b.add(missing("CronJob", "deep-storage-gold", CJ_POD + ".containers.0.name", "name"));
    b.add(bad("CronJob", "deep-storage-silver", "spec.concurrencyPolicy", "Sometimes", "Sometimes"));
    b.add(bad("CronJob", "deep-storage-gold", "spec.jobTemplate.spec.backoffLimit", "two", "two"));
    b.add(bad("CronJob", "deep-storage-gold", CJ_POD + ".containers.0.resources.limits.memory", "14 gigs", "quantity"));
    b.add(typo("CronJob", "deep-storage-bronze-audit", "spec.jobTemplate.spec.podFailurePolicy.rules.0.onExitCodes",
        "onExitCode"));
    b.add(missing("CronJob", "deep-storage-bronze-audit", CJ_POD + ".containers.0.env.0.name", "name"));
    b.add(bad("CronJob", "deep-storage-bronze-audit", "spec.jobTemplate.spec.podFailurePolicy.rules.0.action", "Retry",
        "Retry"));
    b.add(bad("CronJob", "deep-storage-bronze-audit", "spec.jobTemplate.spec.podFailurePolicy.rules.0.onExitCodes.operator",
        "Equals", "Equals"));
    b.add(typo("CronJob", "deep-storage-bronze-compact", CJ_POD + ".containers.0.securityContext.readOnlyRootFilesystem",
        "readOnlyRootFileSystem"));
    b.add(missing("CronJob", "deep-storage-bronze-compact", CJ_POD + ".volumes.0.name", "name"));
    b.add(bad("CronJob", "deep-storage-bronze-compact", "spec.startingDeadlineSeconds", "five minutes", "five minutes"));
    b.add(typo("CronJob", "deep-storage-retention", CJ_POD + ".containers.0.env.0.valueFrom.configMapKeyRef",
        "configMapRef"));
    b.add(missing("CronJob", "deep-storage-retention", "spec.jobTemplate.spec.podFailurePolicy.rules.0.action", "action"));
    b.add(bad("CronJob", "deep-storage-retention", "spec.timeZone", List.of("Etc/UTC"), "timeZone"));
    // Job (the hand-created replay template)
    b.add(typo("Job", REPLAY, "spec.backoffLimit", "backofflimit"));
    b.add(typo("Job", REPLAY, JOB_POD + ".containers.0.securityContext.readOnlyRootFilesystem", "readOnlyRootFileSystem"));
    b.add(missing("Job", REPLAY, JOB_POD + ".containers", "containers"));
    b.add(missing("Job", REPLAY, "metadata.generateName", "name"));
    b.add(bad("Job", REPLAY, "spec.backoffLimit", "none", "none"));
    b.add(bad("Job", REPLAY, JOB_POD + ".restartPolicy", "Sometimes", "Sometimes"));
    b.add(bad("Job", REPLAY, JOB_POD + ".securityContext.seccompProfile.type", "Default", "Default"));
    b.add(bad("Job", REPLAY, "metadata.generateName", "Deep_Storage_Replay-", "DNS-1123"));
    b.add(bad("Job", REPLAY, JOB_POD + ".containers.0.resources.limits.memory", "3 gigs", "quantity"));
    // FlinkDeployment
    b.add(typo("FlinkDeployment", null, "spec.job.upgradeMode", "upgrademode"));
    b.add(typo("FlinkDeployment", null, FLINK_POD + ".nodeSelector", "nodeselector"));
    b.add(typo("FlinkDeployment", null, "spec.taskManager.resource.memory", "mem"));
    b.add(missing("FlinkDeployment", null, "spec.job.jarURI", "jarURI"));
    b.add(missing("FlinkDeployment", null, FLINK_POD + ".containers.0.name", "name"));
    b.add(missing("FlinkDeployment", null, "metadata.name", "name"));
    b.add(bad("FlinkDeployment", null, "spec.job.upgradeMode", "last_state", "last_state"));
    b.add(bad("FlinkDeployment", null, "spec.flinkVersion", "v1_21", "v1_21"));
    b.add(bad("FlinkDeployment", null, "spec.job.parallelism", "two", "parallelism"));
    b.add(bad("FlinkDeployment", null, "spec.taskManager.resource.cpu", "2 cores", "cpu"));
    b.add(bad("FlinkDeployment", null, "spec.flinkConfiguration.rest\\.port", 8081, "rest.port"));
    b.add(bad("FlinkDeployment", null, FLINK_POD + ".tolerations.0.effect", "NoScheduled", "NoScheduled"));
    b.add(new Breakage("FlinkDeployment", null, "apiVersion v1beta2 (not served)",
        t -> t.put("apiVersion", "flink.apache.org/v1beta2"), "v1beta2"));
    // PrometheusRule
    b.add(typo("PrometheusRule", null, "spec.groups.0.rules.0.annotations", "annotation"));
    b.add(typo("PrometheusRule", null, "spec.groups.0.rules.1.for", "fore"));
    b.add(missing("PrometheusRule", null, "spec.groups.0.name", "name"));
    b.add(missing("PrometheusRule", null, "spec.groups.0.rules.0.expr", "expr"));
    b.add(missing("PrometheusRule", null, "spec", "spec"));
    b.add(missing("PrometheusRule", null, "spec.groups.0.rules.0.labels.severity", "severity"));
    b.add(missing("PrometheusRule", null, "spec.groups.0.rules.2.annotations.runbook_url", "runbook_url"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.rules.0.for", "15 minutes", "15 minutes"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.rules.0.expr", List.of("up"), "expr"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.name", "", "name"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.rules.0.labels.severity", "page", "page"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.rules.0.annotations.runbook_url", "https://wiki.example/bronze",
        "does not point into docs/operations.md"));
    b.add(bad("PrometheusRule", null, "spec.groups.0.rules.0.record", "bronze:wal:max", "exactly one of alert and record"));
    return b.stream();
  }

  static Map<String, Object> copyOf(String kind, String name) {
    List<Manifest> candidates = new ArrayList<>(Manifest.ofKind(Repo.validated(), kind));
    if (kind.equals("Secret")) {
      candidates.addAll(Repo.secretTemplates());
    }
    Manifest m = candidates.stream()
        .filter(c -> name == null || name.equals(c.name()) || name.equals(c.generateName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " to break"));
    return Yaml2Json.deepCopy(m.tree());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakages")
  void a_broken_copy_is_rejected_for_the_expected_reason(Breakage breakage) {
    Map<String, Object> tree = copyOf(breakage.kind(), breakage.name());
    assertThatCode(() -> Validators.validate(tree)).as("the unbroken original").doesNotThrowAnyException();
    breakage.mutation().accept(tree);
    assertThatThrownBy(() -> Validators.validate(tree))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(breakage.mentions());
  }

  @Test
  void every_applied_or_hand_created_kind_has_a_typo_a_missing_field_and_a_bad_value_case() {
    List<Breakage> all = breakages().toList();
    for (String kind : Repo.validated().stream().map(Manifest::kind).distinct().toList()) {
      assertThat(all).as(kind).filteredOn(b -> b.kind().equals(kind)).extracting(Breakage::what)
          .anyMatch(w -> w.startsWith("typo"))
          .anyMatch(w -> w.startsWith("missing"))
          .anyMatch(w -> w.startsWith("bad value"));
    }
  }

  @Test
  void a_secret_template_with_a_typo_or_an_unknown_type_is_rejected() {
    Map<String, Object> typo = copyOf("Secret", "deep-storage-s3");
    Trees.rename(typo, "stringData", "stringdata");
    assertThatThrownBy(() -> Validators.validate(typo)).hasMessageContaining("stringdata");
    Map<String, Object> type = copyOf("Secret", "deep-storage-s3");
    type.put("type", "Opaq");
    assertThatThrownBy(() -> Validators.validate(type)).hasMessageContaining("Opaq");
  }

  @Test
  void an_unknown_kind_is_rejected_rather_than_skipped() {
    Map<String, Object> tree = copyOf("ConfigMap", "deep-storage-spark-config");
    tree.put("kind", "ConfigMapp");
    assertThatThrownBy(() -> Validators.validate(tree)).hasMessageContaining("ConfigMapp");
  }

  // ---- the replay and audit against their command's options (JobConfigurationTest) ---------------------------

  @SuppressWarnings("unchecked")
  static Map<String, Object> container(Map<String, Object> tree, String podPath) {
    return (Map<String, Object>) Trees.list(tree, podPath + ".containers").get(0);
  }

  @SuppressWarnings("unchecked")
  static void addEnv(Map<String, Object> container, String name, String value) {
    ((List<Object>) container.get("env")).add(new java.util.LinkedHashMap<>(Map.of("name", name, "value", value)));
  }

  @Test
  void a_replay_or_audit_given_a_variable_its_command_does_not_know_is_caught() {
    Map<String, Object> replay = container(copyOf("Job", REPLAY), JOB_POD);
    String replayCommand = "io.deepstorage.bronze.ReplayCommand";
    assertThat(JobConfigurationTest.unknownVariables(replay, replayCommand)).as("the unbroken original").isEmpty();
    addEnv(replay, "REPLAY_FORM", "beginning"); // a typo of REPLAY_FROM
    addEnv(replay, "BRONZE_STARTUP", "latest"); // the streaming job's option, not the replay's
    assertThat(JobConfigurationTest.unknownVariables(replay, replayCommand))
        .containsExactlyInAnyOrder("REPLAY_FORM", "BRONZE_STARTUP");

    Map<String, Object> audit = container(copyOf("CronJob", "deep-storage-bronze-audit"), CJ_POD);
    String auditCommand = "io.deepstorage.bronze.AuditCommand";
    assertThat(JobConfigurationTest.unknownVariables(audit, auditCommand)).as("the unbroken original").isEmpty();
    addEnv(audit, "AUDIT_REPAIRS", "true");
    addEnv(audit, "REPLAY_RESUME", "s3://rbs/flink/replay-checkpoints/x/chk-1"); // the replay's, not the audit's
    assertThat(JobConfigurationTest.unknownVariables(audit, auditCommand))
        .containsExactlyInAnyOrder("AUDIT_REPAIRS", "REPLAY_RESUME");
    // the whole bronze ConfigMap instead of its keys: slot and publication settings the audit does not read
    audit.put("envFrom", List.of(Map.of("configMapRef", Map.of("name", "deep-storage-bronze-config"))));
    assertThat(JobConfigurationTest.unknownVariables(audit, auditCommand)).contains("BRONZE_SLOT_NAME");
  }

  @Test
  void a_compaction_given_a_variable_its_command_does_not_know_is_caught() {
    Map<String, Object> compact = container(copyOf("CronJob", "deep-storage-bronze-compact"), CJ_POD);
    String command = "io.deepstorage.bronze.CompactCommand";
    assertThat(JobConfigurationTest.unknownVariables(compact, command)).as("the unbroken original").isEmpty();
    addEnv(compact, "COMPACT_TARGETSIZE", "256MB"); // a typo of COMPACT_TARGET_SIZE: the default would apply
    addEnv(compact, "COMPACT_DAY", "2026-11-30"); // COMPACT_DATE
    addEnv(compact, "PG_HOST", "paradedb.robson.svc.cluster.local"); // the audit's, not the compaction's
    assertThat(JobConfigurationTest.unknownVariables(compact, command))
        .containsExactlyInAnyOrder("COMPACT_TARGETSIZE", "COMPACT_DAY", "PG_HOST");
    compact.put("args", List.of("--target-size", "64MB", "--dates", "2026-11-30"));
    assertThat(JobConfigurationTest.unknownArguments(compact, command)).containsExactly("--dates");
  }

  @Test
  void a_retention_given_a_variable_or_an_argument_its_job_does_not_know_is_caught() {
    Map<String, Object> retention = container(copyOf("CronJob", "deep-storage-retention"), CJ_POD);
    List<JobJar.Option> options = JobConfigurationTest.retentionOptions();
    Set<String> spark = JobConfigurationTest.SPARK_RUNTIME_VARIABLES;
    assertThat(JobConfigurationTest.unknownVariables(retention, options, spark)).as("the unbroken original").isEmpty();
    addEnv(retention, "RETENTION_DRYRUN", "true"); // a typo of RETENTION_DRY_RUN: it would delete for real
    addEnv(retention, "RETENTION_SILVER_DAY", "30"); // RETENTION_SILVER_DAYS: the default 365 would apply
    addEnv(retention, "RETENTION_GOLD_DAYS", "30"); // there is no gold retention
    assertThat(JobConfigurationTest.unknownVariables(retention, options, spark))
        .containsExactlyInAnyOrder("RETENTION_DRYRUN", "RETENTION_SILVER_DAY", "RETENTION_GOLD_DAYS");
    // the whole Spark ConfigMap as silver takes it: GOLD_VERSION is not the retention's
    Map<String, Object> whole = container(copyOf("CronJob", "deep-storage-retention"), CJ_POD);
    whole.put("envFrom", List.of(Map.of("configMapRef", Map.of("name", "deep-storage-spark-config"))));
    assertThat(JobConfigurationTest.unknownVariables(whole, options, spark)).containsExactly("GOLD_VERSION");
    // arguments after the jar are the job's
    assertThat(JobConfigurationTest.unknownArguments(List.of("--dry-run", "--bronze-days", "30"), options)).isEmpty();
    assertThat(JobConfigurationTest.unknownArguments(List.of("--dryrun", "--gold-days", "30", "--as-of", "2026-12-01"),
        options)).containsExactly("--dryrun", "--gold-days");
  }

  @Test
  void a_replay_given_an_argument_its_command_does_not_know_is_caught() {
    Map<String, Object> replay = container(copyOf("Job", REPLAY), JOB_POD);
    String replayCommand = "io.deepstorage.bronze.ReplayCommand";
    assertThat(JobConfigurationTest.unknownArguments(replay, replayCommand)).as("the unbroken original").isEmpty();
    replay.put("args", List.of("--form", "beginning", "--to", "2026-12-01T00:00:00Z", "--resume-from", "s3://x", "stray"));
    assertThat(JobConfigurationTest.unknownArguments(replay, replayCommand))
        .containsExactly("--form", "--resume-from", "stray (not an option)");
  }
}
