package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RbacAndQuotaTest {

  static final BigDecimal NODE_CPU = new BigDecimal(8);
  static final long NODE_MEMORY = 24L * 1000 * 1000 * 1000; // 24 GB

  @Test
  void no_cluster_wide_rights_are_granted() {
    assertThat(Repo.applied()).extracting(Manifest::kind).doesNotContain("ClusterRole", "ClusterRoleBinding");
  }

  @Test
  void the_flink_role_grants_only_pods_configmaps_and_reading_its_deployment_without_wildcards() {
    Map<String, Object> role = Repo.appliedOne("Role", "flink-bronze").tree();
    for (Object rule : Trees.list(role, "rules")) {
      assertThat(Trees.strings(rule, "verbs")).doesNotContain("*");
      assertThat(Trees.strings(rule, "resources")).doesNotContain("*", "secrets")
          .isSubsetOf("pods", "configmaps", "deployments", "deployments/finalizers");
      assertThat(Trees.strings(rule, "apiGroups")).doesNotContain("*").isSubsetOf("", "apps");
      if (Trees.strings(rule, "resources").contains("deployments")) {
        assertThat(Trees.strings(rule, "verbs")).isSubsetOf("get", "list", "watch");
      }
    }
    assertThat(Trees.list(role, "rules")).anySatisfy(rule -> {
      assertThat(Trees.strings(rule, "resources")).contains("configmaps");
      assertThat(Trees.strings(rule, "verbs")).contains("get", "list", "watch", "create", "update", "delete");
    });
    assertThat(Trees.list(role, "rules")).anySatisfy(rule -> {
      assertThat(Trees.strings(rule, "resources")).contains("pods");
      assertThat(Trees.strings(rule, "verbs")).contains("create", "delete", "watch");
    });
  }

  @Test
  void the_flink_role_is_bound_to_the_flink_service_account_only() {
    Map<String, Object> rb = Repo.appliedOne("RoleBinding", "flink-bronze").tree();
    assertThat(Trees.map(rb, "roleRef")).containsEntry("kind", "Role").containsEntry("name", "flink-bronze");
    assertThat(Trees.list(rb, "subjects")).singleElement().satisfies(s -> assertThat(Trees.asMap(s))
        .containsEntry("kind", "ServiceAccount").containsEntry("name", "flink-bronze")
        .containsEntry("namespace", "analytics-jobs"));
  }

  @Test
  void the_spark_and_bronze_maintenance_service_accounts_have_no_API_rights_and_mount_no_token() {
    for (String name : List.of("spark-jobs", "bronze-maintenance")) {
      Map<String, Object> sa = Repo.appliedOne("ServiceAccount", name).tree();
      assertThat(sa.get("automountServiceAccountToken")).as(name).isEqualTo(false);
      assertThat(Trees.list(sa, "imagePullSecrets")).as(name)
          .anySatisfy(s -> assertThat(Trees.get(s, "name")).isEqualTo("ghcr-pull-secret"));
      for (Manifest rb : Manifest.ofKind(Repo.applied(), "RoleBinding")) {
        assertThat(Trees.list(rb.tree(), "subjects")).noneSatisfy(s ->
            assertThat(Trees.get(s, "name")).isEqualTo(name));
      }
    }
  }

  // ---- quota arithmetic -------------------------------------------------------------------------------------

  record Footprint(BigDecimal cpuRequests, BigDecimal cpuLimits, long memRequests, long memLimits) {
    Footprint plus(Footprint o) {
      return new Footprint(cpuRequests.add(o.cpuRequests), cpuLimits.add(o.cpuLimits),
          memRequests + o.memRequests, memLimits + o.memLimits);
    }
  }

  /** The operator gives JM and TM containers requests = limits = spec resources (limit factors default to 1). */
  static Footprint bronze() {
    Map<String, Object> spec = Trees.map(Workloads.bronze().tree(), "spec");
    BigDecimal cpu = BigDecimal.ZERO;
    long mem = 0;
    int taskManagers = taskManagers(spec);
    for (String role : List.of("jobManager", "taskManager")) {
      int replicas = role.equals("jobManager") ? ((Integer) Trees.get(spec, "jobManager.replicas")) : taskManagers;
      cpu = cpu.add(Quantities.cpu(Trees.get(spec, role + ".resource.cpu")).multiply(new BigDecimal(replicas)));
      mem += replicas * Quantities.flinkBytes(String.valueOf(Trees.get(spec, role + ".resource.memory")));
    }
    assertThat(Trees.map(spec, "flinkConfiguration")).doesNotContainKeys(
        "kubernetes.jobmanager.cpu.limit-factor", "kubernetes.taskmanager.cpu.limit-factor",
        "kubernetes.jobmanager.memory.limit-factor", "kubernetes.taskmanager.memory.limit-factor");
    return new Footprint(cpu, cpu, mem, mem);
  }

  static int taskManagers(Map<String, Object> spec) {
    int parallelism = (Integer) Trees.get(spec, "job.parallelism");
    int slots = Integer.parseInt(String.valueOf(Trees.get(spec, "flinkConfiguration.taskmanager\\.numberOfTaskSlots")));
    return (parallelism + slots - 1) / slots;
  }

  static Footprint spark(Manifest cronJob) {
    return pod(Workloads.podOf(cronJob));
  }

  /** What a pod of a Job or CronJob charges the quota: the sum of its containers' requests and limits. */
  static Footprint pod(Workloads.PodSpec pod) {
    Footprint sum = new Footprint(BigDecimal.ZERO, BigDecimal.ZERO, 0, 0);
    for (Map<String, Object> c : pod.containers()) {
      sum = sum.plus(new Footprint(Quantities.cpu(Trees.get(c, "resources.requests.cpu")),
          Quantities.cpu(Trees.get(c, "resources.limits.cpu")),
          Quantities.bytes(String.valueOf(Trees.get(c, "resources.requests.memory"))),
          Quantities.bytes(String.valueOf(Trees.get(c, "resources.limits.memory")))));
    }
    return sum;
  }

  static Footprint audit() {
    return pod(Workloads.podOf(Workloads.audit()));
  }

  static Footprint replay() {
    return pod(Workloads.podOf(Workloads.replay()));
  }

  static Footprint retention() {
    return pod(Workloads.podOf(Workloads.retention()));
  }

  /** The big Spark jobs, 14 GiB each: silver and gold (retention is a Spark job too, a small one). */
  static List<Manifest> bigSparkJobs() {
    return List.of(Workloads.silver(), Workloads.gold());
  }

  static Footprint quota() {
    Map<String, Object> hard = Trees.map(Repo.appliedOne("ResourceQuota", "analytics-jobs-quota").tree(), "spec.hard");
    return new Footprint(Quantities.cpu(hard.get("requests.cpu")), Quantities.cpu(hard.get("limits.cpu")),
        Quantities.bytes(String.valueOf(hard.get("requests.memory"))),
        Quantities.bytes(String.valueOf(hard.get("limits.memory"))));
  }

  static boolean fits(Footprint f, Footprint q) {
    return f.cpuRequests.compareTo(q.cpuRequests) <= 0 && f.cpuLimits.compareTo(q.cpuLimits) <= 0
        && f.memRequests <= q.memRequests && f.memLimits <= q.memLimits;
  }

  @Test
  void the_bronze_job_any_one_spark_job_and_either_daily_bronze_maintenance_job_fit_the_quota_together() {
    // The audit and the compaction never run together (WorkloadRulesTest), so one of them at a time.
    assertThat(Workloads.maintenanceCronJobs()).hasSize(2);
    for (Manifest cj : Workloads.sparkCronJobs()) {
      for (Manifest daily : Workloads.maintenanceCronJobs()) {
        Footprint all = bronze().plus(spark(cj)).plus(pod(Workloads.podOf(daily)));
        assertThat(fits(all, quota())).as("bronze + " + cj.name() + " + " + daily.name() + " = " + all + " within "
            + quota()).isTrue();
      }
    }
  }

  @Test
  void the_audit_and_the_compaction_together_beside_bronze_and_a_big_spark_job_would_not_fit() {
    // Why their schedules keep them apart (besides both reading yesterday's bronze).
    for (Manifest cj : bigSparkJobs()) {
      Footprint all = bronze().plus(spark(cj)).plus(audit()).plus(pod(Workloads.podOf(Workloads.compact())));
      assertThat(all.memRequests).as("bronze + " + cj.name() + " + audit + compaction").isGreaterThan(quota().memRequests);
    }
  }

  @Test
  void a_debugging_pod_with_the_limit_range_defaults_still_fits_beside_bronze_a_spark_job_and_a_daily_maintenance_job() {
    Map<String, Object> limit = Trees.asMap(Trees.list(
        Repo.appliedOne("LimitRange", "analytics-jobs-limits").tree(), "spec.limits").get(0));
    Footprint debug = new Footprint(Quantities.cpu(Trees.get(limit, "defaultRequest.cpu")),
        Quantities.cpu(Trees.get(limit, "default.cpu")),
        Quantities.bytes(String.valueOf(Trees.get(limit, "defaultRequest.memory"))),
        Quantities.bytes(String.valueOf(Trees.get(limit, "default.memory"))));
    for (Manifest cj : Workloads.sparkCronJobs()) {
      for (Manifest daily : Workloads.maintenanceCronJobs()) {
        Footprint all = bronze().plus(spark(cj)).plus(pod(Workloads.podOf(daily))).plus(debug);
        assertThat(fits(all, quota())).as("bronze + " + cj.name() + " + " + daily.name() + " + debug pod = " + all)
            .isTrue();
      }
    }
  }

  @Test
  void the_retention_fits_beside_bronze_and_a_daily_maintenance_job_but_waits_for_silver_and_gold() {
    for (Manifest daily : Workloads.maintenanceCronJobs()) {
      Footprint all = bronze().plus(retention()).plus(pod(Workloads.podOf(daily)));
      assertThat(fits(all, quota())).as("bronze + retention + " + daily.name() + " = " + all).isTrue();
    }
    // It deletes bronze partitions; silver may read any bronze date (a full run all of them). The quota keeps them
    // apart (while bronze runs), as it keeps silver and gold apart.
    for (Manifest cj : bigSparkJobs()) {
      Footprint all = bronze().plus(spark(cj)).plus(retention());
      assertThat(all.memRequests).as("bronze + " + cj.name() + " + retention").isGreaterThan(quota().memRequests);
    }
  }

  @Test
  void a_replay_fits_next_to_the_bronze_job_and_the_audit() {
    Footprint all = bronze().plus(replay()).plus(audit());
    assertThat(fits(all, quota())).as("bronze + replay + audit = " + all + " within " + quota()).isTrue();
  }

  @Test
  void a_replay_and_a_spark_job_do_not_fit_together_so_the_later_one_waits() {
    // 20-quota.yaml: the node cannot hold bronze, a 14 GiB Spark pod and a replay; the quota makes that a queue.
    // (The small retention fits beside a replay: it deletes only partitions past their age.)
    for (Manifest cj : bigSparkJobs()) {
      Footprint all = bronze().plus(spark(cj)).plus(replay());
      assertThat(all.memRequests).as("bronze + replay + " + cj.name()).isGreaterThan(quota().memRequests);
    }
  }

  @Test
  void the_quota_admits_only_one_spark_job_at_a_time() {
    List<Manifest> cjs = Workloads.sparkCronJobs();
    for (Manifest a : cjs) {
      for (Manifest b : cjs) {
        if (a.equals(b) && a.equals(Workloads.retention())) {
          continue; // a second retention run (by hand) fits; it would list and delete the same partitions, no more
        }
        Footprint three = bronze().plus(spark(a)).plus(spark(b));
        assertThat(three.memRequests).as(a.name() + " + " + b.name() + " + bronze").isGreaterThan(quota().memRequests);
      }
    }
  }

  @Test
  void the_quota_fits_the_analytics_node_and_is_larger_than_the_phase_0_seed() {
    Footprint q = quota();
    assertThat(q.cpuRequests).isLessThan(NODE_CPU);
    assertThat(q.memRequests).isLessThan(NODE_MEMORY - 2L * 1000 * 1000 * 1000); // OS + kubelet reserve
    assertThat(q.memLimits).isLessThanOrEqualTo(NODE_MEMORY);
    assertThat(q.memRequests).isGreaterThan(Quantities.bytes("6Gi"));
  }

  @Test
  void the_limit_range_ceiling_admits_every_container_and_defaults_are_small() {
    Map<String, Object> limit = (Map<String, Object>) Trees.list(
        Repo.appliedOne("LimitRange", "analytics-jobs-limits").tree(), "spec.limits").get(0);
    assertThat(limit).containsEntry("type", "Container");
    BigDecimal maxCpu = Quantities.cpu(Trees.get(limit, "max.cpu"));
    long maxMem = Quantities.bytes(String.valueOf(Trees.get(limit, "max.memory")));
    for (Workloads.PodSpec p : Workloads.podSpecs()) {
      if (!p.owner().kind().equals("FlinkDeployment")) {
        for (Map<String, Object> c : p.containers()) {
          assertThat(Quantities.cpu(Trees.get(c, "resources.limits.cpu"))).as(p.toString()).isLessThanOrEqualTo(maxCpu);
          assertThat(Quantities.bytes(String.valueOf(Trees.get(c, "resources.limits.memory")))).as(p.toString())
              .isLessThanOrEqualTo(maxMem);
        }
      }
    }
    Map<String, Object> spec = Trees.map(Workloads.bronze().tree(), "spec");
    for (String role : List.of("jobManager", "taskManager")) {
      assertThat(Quantities.cpu(Trees.get(spec, role + ".resource.cpu"))).isLessThanOrEqualTo(maxCpu);
      assertThat(Quantities.flinkBytes(String.valueOf(Trees.get(spec, role + ".resource.memory"))))
          .isLessThanOrEqualTo(maxMem);
    }
    assertThat(Quantities.bytes(String.valueOf(Trees.get(limit, "default.memory")))).isLessThan(Quantities.bytes("1Gi"));
  }
}
