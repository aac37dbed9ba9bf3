package io.deepstorage.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The pod specs and containers the workloads run, wherever they are nested: applied and hand-created. */
final class Workloads {
  private Workloads() {}

  record PodSpec(Manifest owner, String path, Map<String, Object> spec) {
    @Override
    public String toString() {
      return owner + " " + path;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> containers() {
      List<Map<String, Object>> out = new ArrayList<>();
      for (String key : List.of("initContainers", "containers")) {
        for (Object c : Trees.list(spec, key)) {
          out.add((Map<String, Object>) c);
        }
      }
      return out;
    }

    /** The labels of the pod template (…template.metadata.labels beside …template.spec). */
    @SuppressWarnings("unchecked")
    Map<String, Object> labels() {
      Object labels = Trees.get(owner.tree(), path.substring(0, path.length() - "spec".length()) + "metadata.labels");
      return labels instanceof Map ? (Map<String, Object>) labels : Map.of();
    }

    boolean isBronzeMaintenance() {
      return MAINTENANCE.equals(labels().get(COMPONENT));
    }
  }

  static final String CRONJOB_POD = "spec.jobTemplate.spec.template.spec";
  static final String JOB_POD = "spec.template.spec";
  static final String COMPONENT = "app.kubernetes.io/component";
  /** The component label of the pods that run the bronze job jar's bounded commands in-process (replay, audit, compaction). */
  static final String MAINTENANCE = "bronze-maintenance";

  /**
   * Every pod spec of every workload: CronJob templates and all FlinkDeployment pod templates (applied), and the Job
   * templates of k8s/jobs/ (hand-created).
   */
  static List<PodSpec> podSpecs() {
    List<PodSpec> out = new ArrayList<>();
    for (Manifest m : Repo.applied()) {
      switch (m.kind()) {
        case "CronJob" -> out.add(new PodSpec(m, CRONJOB_POD, Trees.map(m.tree(), CRONJOB_POD)));
        case "FlinkDeployment" -> {
          for (String p : List.of("spec.podTemplate", "spec.jobManager.podTemplate", "spec.taskManager.podTemplate")) {
            if (Trees.get(m.tree(), p) != null) {
              out.add(new PodSpec(m, p + ".spec", Trees.map(m.tree(), p + ".spec")));
            }
          }
        }
        // A bare Job in the kustomization would run on every apply.
        case "Pod", "Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" ->
            throw new AssertionError("unexpected bare workload " + m + ": add it to Workloads.podSpecs()");
        default -> { }
      }
    }
    for (Manifest m : Repo.handCreated()) {
      if (!m.kind().equals("Job")) {
        throw new AssertionError("k8s/jobs/ holds Job templates only, found " + m);
      }
      out.add(new PodSpec(m, JOB_POD, Trees.map(m.tree(), JOB_POD)));
    }
    return out;
  }

  static List<Manifest> cronJobs() {
    return Manifest.ofKind(Repo.applied(), "CronJob");
  }

  /** The silver, gold and retention CronJobs (component spark): spark-submit in one pod. */
  static List<Manifest> sparkCronJobs() {
    return cronJobs().stream().filter(cj -> "spark".equals(cj.labels().get(COMPONENT))).toList();
  }

  /**
   * The pods that run a command of the bronze job jar with Flink in-process: the replay Job and the audit and
   * compaction CronJobs.
   */
  static List<PodSpec> maintenancePods() {
    return podSpecs().stream().filter(PodSpec::isBronzeMaintenance).toList();
  }

  /** The daily CronJobs among them: the audit and the compaction. */
  static List<Manifest> maintenanceCronJobs() {
    return cronJobs().stream().filter(cj -> MAINTENANCE.equals(cj.labels().get(COMPONENT))).toList();
  }

  static Manifest bronze() {
    return Repo.appliedOne("FlinkDeployment", "deep-storage-bronze");
  }

  static Manifest replay() {
    return Repo.handCreatedOne("Job", "deep-storage-replay-");
  }

  static Manifest audit() {
    return Repo.appliedOne("CronJob", "deep-storage-bronze-audit");
  }

  static Manifest compact() {
    return Repo.appliedOne("CronJob", "deep-storage-bronze-compact");
  }

  static Manifest silver() {
    return Repo.appliedOne("CronJob", "deep-storage-silver");
  }

  static Manifest gold() {
    return Repo.appliedOne("CronJob", "deep-storage-gold");
  }

  static Manifest retention() {
    return Repo.appliedOne("CronJob", "deep-storage-retention");
  }

  static PodSpec podOf(Manifest owner) {
    return podSpecs().stream().filter(p -> p.owner().equals(owner)).findFirst()
        .orElseThrow(() -> new AssertionError("no pod spec of " + owner));
  }

  static Map<String, Object> flinkConf() {
    return Trees.map(bronze().tree(), "spec.flinkConfiguration");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> sparkContainer(Manifest cronJob) {
    return (Map<String, Object>) Trees.list(cronJob.tree(), CRONJOB_POD + ".containers").get(0);
  }

  static List<String> sparkArgs(Manifest cronJob) {
    List<String> all = new ArrayList<>(Trees.strings(sparkContainer(cronJob), "command"));
    all.addAll(Trees.strings(sparkContainer(cronJob), "args"));
    return all;
  }

  /** The application jar spark-submit runs: the first argument ending in .jar (spark-submit's own come before it). */
  static String sparkJar(Manifest cronJob) {
    return sparkArgs(cronJob).stream().filter(a -> a.endsWith(".jar")).findFirst()
        .orElseThrow(() -> new AssertionError(cronJob + " submits no jar"));
  }

  /** The arguments after the application jar: the job's own. */
  static List<String> sparkAppArgs(Manifest cronJob) {
    List<String> args = sparkArgs(cronJob);
    return args.subList(args.indexOf(sparkJar(cronJob)) + 1, args.size());
  }

  /** The Maven module whose shaded job jar the image bakes at that path: /opt/deep-storage/spark-silver-job.jar → spark-silver. */
  static String sparkModule(Manifest cronJob) {
    String jar = sparkJar(cronJob);
    String file = jar.substring(jar.lastIndexOf('/') + 1);
    if (!file.endsWith("-job.jar")) {
      throw new AssertionError(cronJob + " submits " + jar + ", not a <module>-job.jar");
    }
    return file.substring(0, file.length() - "-job.jar".length());
  }

  // ---- schedules ---------------------------------------------------------------------------------------------

  /** The minute of the day (UTC) a daily CronJob ("M H * * *", timeZone Etc/UTC) starts. */
  static int dailyStartMinute(Manifest cronJob) {
    String[] cron = String.valueOf(Trees.get(cronJob.tree(), "spec.schedule")).split(" ");
    if (cron.length != 5 || !cron[0].matches("\\d+") || !cron[1].matches("\\d+")
        || !List.of(cron[2], cron[3], cron[4]).equals(List.of("*", "*", "*"))) {
      throw new AssertionError(cronJob + " is not scheduled daily at a fixed time: " + Trees.get(cronJob.tree(), "spec.schedule"));
    }
    if (!"Etc/UTC".equals(Trees.get(cronJob.tree(), "spec.timeZone"))) {
      throw new AssertionError(cronJob + " is not scheduled in Etc/UTC");
    }
    return Integer.parseInt(cron[1]) * 60 + Integer.parseInt(cron[0]);
  }

  /**
   * The latest a daily CronJob's run can still be going, in seconds after midnight UTC: a start as late as
   * startingDeadlineSeconds allows, the Job's activeDeadlineSeconds, and the pod's termination grace period (default 30 s).
   */
  static int latestEndSecond(Manifest cronJob) {
    Map<String, Object> spec = Trees.map(cronJob.tree(), "spec");
    Object grace = Trees.get(spec, "jobTemplate.spec.template.spec.terminationGracePeriodSeconds");
    return dailyStartMinute(cronJob) * 60 + (Integer) spec.get("startingDeadlineSeconds")
        + (Integer) Trees.get(spec, "jobTemplate.spec.activeDeadlineSeconds") + (grace == null ? 30 : (Integer) grace);
  }

  /** The value following a flag in an argument list, e.g. --class. */
  static String argAfter(List<String> args, String flag) {
    int i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.size()) {
      throw new AssertionError(flag + " not found in " + args);
    }
    return args.get(i + 1);
  }

  // ---- the in-process JVM of a maintenance pod: java <flags> -cp <classpath> <main class>, then args ------------

  /** The one container of a maintenance pod. */
  static Map<String, Object> jvmContainer(PodSpec pod) {
    List<Map<String, Object>> containers = pod.containers();
    if (containers.size() != 1) {
      throw new AssertionError(pod + " should run one container, runs " + containers.size());
    }
    return containers.get(0);
  }

  static List<String> jvmCommand(Map<String, Object> container) {
    List<String> command = Trees.strings(container, "command");
    if (command.isEmpty() || !command.get(0).equals("java") || command.indexOf("-cp") != command.size() - 3) {
      throw new AssertionError("expected command [java, <flags>…, -cp, <classpath>, <main class>], got " + command);
    }
    return command;
  }

  static List<String> jvmFlags(Map<String, Object> container) {
    List<String> command = jvmCommand(container);
    return command.subList(1, command.size() - 3);
  }

  static String classpath(Map<String, Object> container) {
    List<String> command = jvmCommand(container);
    return command.get(command.size() - 2);
  }

  static String mainClass(Map<String, Object> container) {
    List<String> command = jvmCommand(container);
    return command.get(command.size() - 1);
  }

  /** The -Xmx of a JVM command. */
  static String heap(Map<String, Object> container) {
    List<String> xmx = jvmFlags(container).stream().filter(f -> f.startsWith("-Xmx")).toList();
    if (xmx.size() != 1) {
      throw new AssertionError("expected exactly one -Xmx in " + jvmFlags(container));
    }
    return xmx.get(0).substring("-Xmx".length());
  }

  /** A literal env value of a container (null when the variable is absent or comes from a reference). */
  static String envValue(Map<String, Object> container, String name) {
    for (Object e : Trees.list(container, "env")) {
      if (name.equals(Trees.get(e, "name"))) {
        Object v = Trees.get(e, "value");
        return v == null ? null : String.valueOf(v);
      }
    }
    return null;
  }

  /** The env entry of a container with that name, or null. */
  static Map<String, Object> envVar(Map<String, Object> container, String name) {
    for (Object e : Trees.list(container, "env")) {
      if (name.equals(Trees.get(e, "name"))) {
        return Trees.asMap(e);
      }
    }
    return null;
  }
}
