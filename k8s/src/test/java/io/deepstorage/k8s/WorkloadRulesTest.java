package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.deepstorage.local.JobCommand;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WorkloadRulesTest {

  static List<Workloads.PodSpec> podSpecs() {
    return Workloads.podSpecs();
  }

  static List<Manifest> cronJobs() {
    return Workloads.cronJobs();
  }

  static List<Manifest> sparkCronJobs() {
    return Workloads.sparkCronJobs();
  }

  static List<Workloads.PodSpec> maintenancePods() {
    return Workloads.maintenancePods();
  }

  /** The pods of Jobs and CronJobs (the FlinkDeployment's start as root: the image's entrypoint drops to flink). */
  static List<Workloads.PodSpec> jobPods() {
    return Workloads.podSpecs().stream().filter(p -> !p.owner().kind().equals("FlinkDeployment")).toList();
  }

  @Test
  void the_workloads_are_bronze_silver_gold_audit_compaction_and_retention_applied_and_the_replay_created_by_hand() {
    assertThat(Repo.applied()).filteredOn(m -> m.kind().equals("FlinkDeployment") || m.kind().equals("CronJob"))
        .extracting(Manifest::name)
        .containsExactlyInAnyOrder("deep-storage-bronze", "deep-storage-silver", "deep-storage-gold",
            "deep-storage-bronze-audit", "deep-storage-bronze-compact", "deep-storage-retention");
    assertThat(Repo.handCreated()).extracting(Manifest::generateName).containsExactly("deep-storage-replay-");
    assertThat(Workloads.sparkCronJobs()).extracting(Manifest::name)
        .containsExactlyInAnyOrder("deep-storage-silver", "deep-storage-gold", "deep-storage-retention");
    assertThat(Workloads.maintenancePods()).extracting(Workloads.PodSpec::owner)
        .containsExactlyInAnyOrder(Workloads.replay(), Workloads.audit(), Workloads.compact());
    assertThat(Workloads.maintenanceCronJobs()).containsExactlyInAnyOrder(Workloads.audit(), Workloads.compact());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podSpecs")
  void every_pod_is_pinned_to_the_analytics_node_and_tolerates_its_taint(Workloads.PodSpec pod) {
    assertThat(Trees.map(pod.spec(), "nodeSelector")).containsEntry("robson.io/pool", "analytics");
    assertThat(Trees.list(pod.spec(), "tolerations")).anySatisfy(t -> assertThat(Trees.asMap(t))
        .containsEntry("key", "robson.io/dedicated")
        .containsEntry("operator", "Equal")
        .containsEntry("value", "analytics")
        .containsEntry("effect", "NoSchedule"));
  }

  @Test
  void the_FlinkDeployment_upgrades_through_savepoints_kept_on_the_object_store() {
    Map<String, Object> spec = Trees.map(Workloads.bronze().tree(), "spec");
    Map<String, Object> conf = Workloads.flinkConf();
    assertThat(Trees.get(spec, "job.upgradeMode")).isEqualTo("savepoint");
    assertThat(Trees.get(spec, "job.state")).isEqualTo("running");
    assertThat(Trees.get(spec, "flinkVersion")).isEqualTo("v1_18");
    assertThat(conf).containsEntry("state.checkpoints.dir", "s3://rbs/flink/checkpoints")
        .containsEntry("state.savepoints.dir", "s3://rbs/flink/savepoints")
        .containsEntry("high-availability.type", "kubernetes")
        .containsEntry("high-availability.storageDir", "s3://rbs/flink/ha")
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("state.backend.incremental", "true");
    assertThat(String.valueOf(conf.get("restart-strategy.type"))).isIn("exponential-delay", "fixed-delay");
  }

  @Test
  void the_FlinkDeployment_configures_S3_for_the_path_style_object_store_without_directory_marker_cleanup() {
    assertThat(Workloads.flinkConf())
        .containsEntry("s3.endpoint", "https://eu2.contabostorage.com")
        .containsEntry("s3.path.style.access", "true")
        .containsEntry("s3.directory.marker.retention", "keep")
        .doesNotContainKeys("s3.access-key", "s3.secret-key", "s3.access.key", "s3.secret.key",
            "fs.s3a.access.key", "fs.s3a.secret.key");
  }

  @Test
  void the_FlinkDeployment_exposes_Prometheus_metrics_on_the_port_its_pods_declare() {
    Map<String, Object> conf = Workloads.flinkConf();
    assertThat(conf).containsEntry("metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    assertThat(conf).containsEntry("metrics.reporter.prom.port", "9249");
    Workloads.PodSpec pod = Workloads.podSpecs().stream()
        .filter(p -> p.owner().kind().equals("FlinkDeployment")).findFirst().orElseThrow();
    assertThat(pod.containers()).anySatisfy(c -> {
      assertThat(c).containsEntry("name", "flink-main-container");
      assertThat(Trees.list(c, "ports")).anySatisfy(p -> assertThat(Trees.asMap(p))
          .containsEntry("containerPort", 9249).containsEntry("name", "metrics"));
    });
  }

  @Test
  void the_FlinkDeployment_runs_the_bronze_job_from_the_jar_baked_into_its_image() {
    Map<String, Object> job = Trees.map(Workloads.bronze().tree(), "spec.job");
    assertThat(job).containsEntry("jarURI", "local:///opt/flink/usrlib/flink-bronze-job.jar")
        .containsEntry("entryClass", "io.deepstorage.bronze.BronzeJob");
  }

  @Test
  void the_FlinkDeployment_runs_as_the_flink_bronze_service_account() {
    assertThat(Trees.get(Workloads.bronze().tree(), "spec.serviceAccount")).isEqualTo("flink-bronze");
    assertThat(Manifest.ofKind(Repo.applied(), "ServiceAccount")).extracting(Manifest::name).contains("flink-bronze");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cronJobs")
  void every_CronJob_forbids_concurrency_and_bounds_its_runs_and_history(Manifest cj) {
    Map<String, Object> spec = Trees.map(cj.tree(), "spec");
    assertThat(spec).containsEntry("concurrencyPolicy", "Forbid").containsEntry("timeZone", "Etc/UTC");
    assertThat(spec.get("successfulJobsHistoryLimit")).isInstanceOf(Integer.class);
    assertThat(spec.get("failedJobsHistoryLimit")).isInstanceOf(Integer.class);
    assertThat((Integer) spec.get("startingDeadlineSeconds")).isPositive();
    assertThat((Integer) Trees.get(spec, "jobTemplate.spec.activeDeadlineSeconds")).isPositive();
    assertThat((Integer) Trees.get(spec, "jobTemplate.spec.backoffLimit")).isBetween(0, 6);
    assertThat(Trees.get(spec, "jobTemplate.spec.template.spec.restartPolicy")).isIn("Never", "OnFailure");
  }

  @Test
  void silver_runs_hourly_and_ends_before_its_next_run_and_gold_runs_daily() {
    Manifest silver = Repo.appliedOne("CronJob", "deep-storage-silver");
    Manifest gold = Repo.appliedOne("CronJob", "deep-storage-gold");
    String[] s = String.valueOf(Trees.get(silver.tree(), "spec.schedule")).split(" ");
    String[] g = String.valueOf(Trees.get(gold.tree(), "spec.schedule")).split(" ");
    assertThat(s).hasSize(5);
    assertThat(s[0]).matches("\\d+");
    assertThat(List.of(s[1], s[2], s[3], s[4])).containsOnly("*");
    assertThat(g).hasSize(5);
    assertThat(g[0]).matches("\\d+");
    assertThat(g[1]).matches("\\d+");
    assertThat(List.of(g[2], g[3], g[4])).containsOnly("*");
    assertThat((Integer) Trees.get(silver.tree(), "spec.jobTemplate.spec.activeDeadlineSeconds")).isLessThan(3600);
  }

  /** Each Spark CronJob's main class and the job jar it is in (retention: the silver jar, RetentionJob). */
  static final Map<String, List<String>> SPARK_JOBS = Map.of(
      "deep-storage-silver", List.of("io.deepstorage.silver.SilverJob", "/opt/deep-storage/spark-silver-job.jar"),
      "deep-storage-gold", List.of("io.deepstorage.gold.GoldJob", "/opt/deep-storage/spark-gold-job.jar"),
      "deep-storage-retention", List.of("io.deepstorage.silver.RetentionJob", "/opt/deep-storage/spark-silver-job.jar"));

  @ParameterizedTest(name = "{0}")
  @MethodSource("sparkCronJobs")
  void every_Spark_job_runs_spark_submit_locally_in_one_pod_from_a_baked_jar(Manifest cj) {
    List<String> args = Workloads.sparkArgs(cj);
    assertThat(SPARK_JOBS).containsKey(cj.name());
    assertThat(args.get(0)).isEqualTo("/opt/spark/bin/spark-submit");
    assertThat(Workloads.argAfter(args, "--master")).matches("local\\[\\d+]");
    assertThat(Workloads.argAfter(args, "--class")).isEqualTo(SPARK_JOBS.get(cj.name()).get(0));
    assertThat(args.get(args.size() - 1)).isEqualTo(SPARK_JOBS.get(cj.name()).get(1));
    assertThat(String.join(" ", args)).doesNotContain("--packages", "--repositories", "spark.jars.packages",
        "spark.jars.ivy", "http://", "https://");
    assertThat(Trees.get(cj.tree(), Workloads.CRONJOB_POD + ".serviceAccountName")).isEqualTo("spark-jobs");
    assertThat(Trees.get(cj.tree(), Workloads.CRONJOB_POD + ".automountServiceAccountToken")).isEqualTo(false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sparkCronJobs")
  void every_Spark_container_names_its_resources_and_its_heap_fits_the_memory_limit(Manifest cj) {
    Map<String, Object> c = Workloads.sparkContainer(cj);
    for (String r : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
      assertThat(Trees.get(c, "resources." + r)).as(r).isNotNull();
    }
    long heap = Quantities.jvmBytes(Workloads.argAfter(Workloads.sparkArgs(cj), "--driver-memory"));
    long limit = Quantities.bytes(String.valueOf(Trees.get(c, "resources.limits.memory")));
    assertThat(limit - heap).as("off-heap headroom").isGreaterThanOrEqualTo(3L << 29); // 1.5 GiB
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sparkCronJobs")
  void every_Spark_driver_gets_the_JIT_settings_that_deep_storage_gives_the_same_job(Manifest cj) {
    String options = Workloads.argAfter(Workloads.sparkArgs(cj), "--driver-java-options");
    assertThat(List.of(options.strip().split("\\s+"))).isEqualTo(JobCommand.JvmOptions.JIT);
  }

  // ---- pods of Jobs and CronJobs ----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobPods")
  void every_job_pod_runs_as_a_non_root_user_without_privileges_under_the_runtime_seccomp_profile(Workloads.PodSpec pod) {
    assertThat(Trees.get(pod.spec(), "securityContext.runAsNonRoot")).isEqualTo(true);
    assertThat((Integer) Trees.get(pod.spec(), "securityContext.runAsUser")).isPositive();
    assertThat(Trees.get(pod.spec(), "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
    assertThat(pod.containers()).isNotEmpty().allSatisfy(c -> {
      assertThat(Trees.get(c, "securityContext.allowPrivilegeEscalation")).as(c.get("name") + "").isEqualTo(false);
      assertThat(Trees.strings(c, "securityContext.capabilities.drop")).as(c.get("name") + "").containsExactly("ALL");
      assertThat(Trees.strings(c, "securityContext.capabilities.add")).as(c.get("name") + "").isEmpty();
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobPods")
  void every_job_pod_mounts_no_service_account_token_and_never_restarts_in_place(Workloads.PodSpec pod) {
    assertThat(Trees.get(pod.spec(), "automountServiceAccountToken")).isEqualTo(false);
    assertThat(Trees.get(pod.spec(), "restartPolicy")).isEqualTo("Never");
    assertThat(Manifest.ofKind(Repo.applied(), "ServiceAccount")).extracting(Manifest::name)
        .contains(String.valueOf(Trees.get(pod.spec(), "serviceAccountName")));
  }

  // ---- the replay Job and the audit CronJob: the bronze job jar's commands, Flink in-process ---------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_run_the_bronze_image_as_its_flink_user_on_a_read_only_root_filesystem(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    assertThat(c.get("image")).isEqualTo(Trees.get(Workloads.bronze().tree(), "spec.image"));
    assertThat(Trees.map(pod.spec(), "securityContext")).containsEntry("runAsUser", 9999)
        .containsEntry("runAsGroup", 9999).containsEntry("fsGroup", 9999);
    assertThat(Trees.get(pod.spec(), "serviceAccountName")).isEqualTo("bronze-maintenance");
    assertThat(Trees.get(c, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
    // The JVM's and Flink's temporary files need a writable /tmp: an emptyDir with a bound.
    Object tmpMount = Trees.list(c, "volumeMounts").stream()
        .filter(m -> "/tmp".equals(Trees.get(m, "mountPath"))).findFirst()
        .orElseThrow(() -> new AssertionError(pod + " mounts nothing on /tmp"));
    Object tmpVolume = Trees.list(pod.spec(), "volumes").stream()
        .filter(v -> Trees.get(tmpMount, "name").equals(Trees.get(v, "name"))).findFirst().orElseThrow();
    assertThat(Trees.get(tmpVolume, "emptyDir.sizeLimit")).as("bounded emptyDir").isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_heaps_leave_room_for_flink_off_the_heap_within_a_fixed_memory_size(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    for (String r : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
      assertThat(Trees.get(c, "resources." + r)).as(r).isNotNull();
    }
    assertThat(Trees.get(c, "resources.requests.memory")).as("requests = limits: never OOM-killed for the node's sake")
        .isEqualTo(Trees.get(c, "resources.limits.memory"));
    long heap = Quantities.jvmBytes(Workloads.heap(c));
    long limit = Quantities.bytes(String.valueOf(Trees.get(c, "resources.limits.memory")));
    // Metaspace (Flink, Hadoop, the AWS SDK), code cache, threads, Flink's network buffers, direct memory.
    assertThat(limit - heap).as("off-heap headroom").isGreaterThanOrEqualTo(768L << 20);
    assertThat(Workloads.jvmFlags(c)).contains("-XX:+ExitOnOutOfMemoryError");
  }

  @Test
  void the_replay_is_never_retried_by_kubernetes_and_outlives_its_own_six_hour_wait() {
    Map<String, Object> spec = Trees.map(Workloads.replay().tree(), "spec");
    assertThat(spec).containsEntry("backoffLimit", 0);
    assertThat(Trees.get(spec, "template.spec.restartPolicy")).isEqualTo("Never");
    // ReplayCommand waits for its job at most 6 h; the deadline must not cut a replay the command would finish.
    assertThat((Integer) spec.get("activeDeadlineSeconds")).isGreaterThan(6 * 3600);
    assertThat((Integer) spec.get("ttlSecondsAfterFinished")).isGreaterThanOrEqualTo(86400);
    // A new replay unless the operator names the checkpoint to continue from.
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(Workloads.replay()));
    assertThat(Workloads.envVar(c, "REPLAY_RESUME")).as("REPLAY_RESUME is in the template, blank").isNotNull();
    assertThat(Workloads.envValue(c, "REPLAY_RESUME")).isBlank();
    assertThat(Workloads.envValue(c, "REPLAY_CHECKPOINT_DIR")).startsWith("s3://");
  }

  @Test
  void the_audit_runs_daily_on_yesterday_without_repair_and_fails_its_job_on_a_gap_or_a_bad_setting() {
    Manifest audit = Workloads.audit();
    Workloads.dailyStartMinute(audit); // daily at a fixed UTC time
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(audit));
    assertThat(Workloads.envValue(c, "AUDIT_FROM")).isEqualTo("yesterday");
    assertThat(Workloads.envVar(c, "AUDIT_TO")).as("one date").isNull();
    assertThat(Workloads.envValue(c, "AUDIT_REPAIR")).isEqualTo("false");
    // Exit 1 on a gap (the Job fails); exit 2, a bad setting, is not retried.
    assertABadSettingIsNotRetried(audit);
  }

  /** Exit 2 (a bad setting) fails the Job at once; exit 1 (refused or failed) is retried within backoffLimit. */
  static void assertABadSettingIsNotRetried(Manifest cronJob) {
    Map<String, Object> spec = Trees.map(cronJob.tree(), "spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> c = (Map<String, Object>) Trees.list(spec, "jobTemplate.spec.template.spec.containers").get(0);
    assertThat(Trees.list(spec, "jobTemplate.spec.podFailurePolicy.rules")).as(cronJob.toString()).anySatisfy(rule -> {
      assertThat(Trees.get(rule, "action")).isEqualTo("FailJob");
      assertThat(Trees.get(rule, "onExitCodes.containerName")).isEqualTo(c.get("name"));
      assertThat(Trees.get(rule, "onExitCodes.operator")).isEqualTo("In");
      assertThat(Trees.list(rule, "onExitCodes.values")).containsExactly(2);
    });
    assertThat(Trees.list(spec, "jobTemplate.spec.podFailurePolicy.rules")).as(cronJob.toString())
        .noneSatisfy(rule -> assertThat(Trees.list(rule, "onExitCodes.values")).contains(1));
    // A node drain is nobody's failure.
    assertThat(Trees.list(spec, "jobTemplate.spec.podFailurePolicy.rules")).as(cronJob.toString()).anySatisfy(rule -> {
      assertThat(Trees.get(rule, "action")).isEqualTo("Ignore");
      assertThat(Trees.get(rule, "onPodConditions.0.type")).isEqualTo("DisruptionTarget");
    });
    assertThat((Integer) Trees.get(spec, "jobTemplate.spec.backoffLimit")).as("one retry").isEqualTo(1);
  }

  @Test
  void the_compaction_runs_daily_on_yesterday_and_ends_before_the_audit_reads_the_same_date() {
    Manifest compact = Workloads.compact();
    Manifest audit = Workloads.audit();
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(compact));
    assertThat(Workloads.envValue(c, "COMPACT_DATE")).isEqualTo("yesterday");
    assertThat(Workloads.envValue(Workloads.jvmContainer(Workloads.podOf(audit)), "AUDIT_FROM")).isEqualTo("yesterday");
    // Both on yesterday: the audit then checks the compacted date, and never reads it while parts are deleted.
    // (Together beside bronze and a Spark job they would not fit the quota either: RbacAndQuotaTest.)
    assertThat(Workloads.latestEndSecond(compact)).as("latest end of the compaction, seconds after 00:00 UTC")
        .isLessThanOrEqualTo(Workloads.dailyStartMinute(audit) * 60);
    assertThat(Workloads.dailyStartMinute(compact)).as("after midnight UTC: yesterday is closed").isPositive();
    assertABadSettingIsNotRetried(compact);
  }

  @Test
  void the_audit_and_the_compaction_never_run_at_the_same_time() {
    List<Manifest> daily = Workloads.maintenanceCronJobs().stream()
        .sorted(java.util.Comparator.comparingInt(Workloads::dailyStartMinute)).toList();
    for (int i = 0; i + 1 < daily.size(); i++) {
      assertThat(Workloads.latestEndSecond(daily.get(i))).as(daily.get(i) + " ends before " + daily.get(i + 1))
          .isLessThanOrEqualTo(Workloads.dailyStartMinute(daily.get(i + 1)) * 60);
    }
    Manifest last = daily.get(daily.size() - 1);
    assertThat(Workloads.latestEndSecond(last)).as(last + " ends before the first one's next run")
        .isLessThanOrEqualTo(24 * 3600 + Workloads.dailyStartMinute(daily.get(0)) * 60);
  }

  @Test
  void the_retention_is_a_small_daily_spark_job_that_outwaits_gold_and_fails_its_job_on_a_bad_setting() {
    Manifest retention = Workloads.retention();
    Manifest gold = Workloads.gold();
    List<String> args = Workloads.sparkArgs(retention);
    assertThat(Workloads.argAfter(args, "--master")).isEqualTo("local[1]");
    assertThat(Quantities.jvmBytes(Workloads.argAfter(args, "--driver-memory"))).isLessThanOrEqualTo(1L << 30);
    assertThat(Trees.get(retention.tree(), Workloads.CRONJOB_POD + ".serviceAccountName")).isEqualTo("spark-jobs");
    // It takes the Spark slot of the quota (RbacAndQuotaTest): its deadline covers gold holding it as long as
    // gold's own deadline allows.
    int retentionStart = Workloads.dailyStartMinute(retention) * 60;
    int goldStart = Workloads.dailyStartMinute(gold) * 60;
    int goldEnd = goldStart + (Integer) Trees.get(gold.tree(), "spec.jobTemplate.spec.activeDeadlineSeconds");
    assertThat(goldStart).as("gold starts before the retention on the same day").isLessThan(retentionStart);
    assertThat(retentionStart + (Integer) Trees.get(retention.tree(), "spec.jobTemplate.spec.activeDeadlineSeconds"))
        .as("the retention's deadline outlasts gold's").isGreaterThan(goldEnd);
    assertABadSettingIsNotRetried(retention);
  }

  @Test
  void the_in_process_flink_keeps_the_checkpoints_of_a_failed_replay_so_that_it_can_be_resumed() {
    for (Workloads.PodSpec pod : Workloads.maintenancePods()) {
      Map<String, Object> c = Workloads.jvmContainer(pod);
      String confDir = Workloads.envValue(c, "FLINK_CONF_DIR");
      Object mount = Trees.list(c, "volumeMounts").stream()
          .filter(m -> confDir.equals(Trees.get(m, "mountPath"))).findFirst()
          .orElseThrow(() -> new AssertionError(pod + " mounts nothing at FLINK_CONF_DIR " + confDir));
      assertThat(Trees.get(mount, "readOnly")).isEqualTo(true);
      Object volume = Trees.list(pod.spec(), "volumes").stream()
          .filter(v -> Trees.get(mount, "name").equals(Trees.get(v, "name"))).findFirst().orElseThrow();
      String configMap = String.valueOf(Trees.get(volume, "configMap.name"));
      String flinkConf = String.valueOf(Trees.get(Repo.appliedOne("ConfigMap", configMap).tree(),
          "data.flink-conf\\.yaml"));
      assertThat(flinkConf).as(configMap)
          .contains("execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION");
    }
  }
}
