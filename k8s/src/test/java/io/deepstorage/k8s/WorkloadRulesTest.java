package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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

  @Test
  void there_are_three_workloads_the_bronze_FlinkDeployment_and_the_silver_and_gold_CronJobs() {
    assertThat(Repo.applied()).filteredOn(m -> m.kind().equals("FlinkDeployment") || m.kind().equals("CronJob"))
        .extracting(Manifest::name)
        .containsExactlyInAnyOrder("deep-storage-bronze", "deep-storage-silver", "deep-storage-gold");
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
    assertThat(spec).containsEntry("concurrencyPolicy", "Forbid");
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("cronJobs")
  void every_Spark_job_runs_spark_submit_locally_in_one_pod_from_a_baked_jar(Manifest cj) {
    List<String> args = Workloads.sparkArgs(cj);
    String layer = cj.name().replace("deep-storage-", "");
    assertThat(args.get(0)).isEqualTo("/opt/spark/bin/spark-submit");
    assertThat(Workloads.argAfter(args, "--master")).matches("local\\[\\d+]");
    assertThat(Workloads.argAfter(args, "--class"))
        .isEqualTo(layer.equals("silver") ? "io.deepstorage.silver.SilverJob" : "io.deepstorage.gold.GoldJob");
    assertThat(args.get(args.size() - 1)).isEqualTo("/opt/deep-storage/spark-" + layer + "-job.jar");
    assertThat(String.join(" ", args)).doesNotContain("--packages", "--repositories", "spark.jars.packages",
        "spark.jars.ivy", "http://", "https://");
    assertThat(Trees.get(cj.tree(), Workloads.CRONJOB_POD + ".serviceAccountName")).isEqualTo("spark-jobs");
    assertThat(Trees.get(cj.tree(), Workloads.CRONJOB_POD + ".automountServiceAccountToken")).isEqualTo(false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cronJobs")
  void every_Spark_container_names_its_resources_and_its_heap_fits_the_memory_limit(Manifest cj) {
    Map<String, Object> c = Workloads.sparkContainer(cj);
    for (String r : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
      assertThat(Trees.get(c, "resources." + r)).as(r).isNotNull();
    }
    long heap = Quantities.jvmBytes(Workloads.argAfter(Workloads.sparkArgs(cj), "--driver-memory"));
    long limit = Quantities.bytes(String.valueOf(Trees.get(c, "resources.limits.memory")));
    assertThat(limit - heap).as("off-heap headroom").isGreaterThanOrEqualTo(3L << 29); // 1.5 GiB
  }
}
