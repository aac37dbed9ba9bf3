package io.deepstorage.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The pod specs and containers the applied workloads run, wherever they are nested. */
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
  }

  static final String CRONJOB_POD = "spec.jobTemplate.spec.template.spec";

  /** Every pod spec of every applied workload: CronJob templates and all FlinkDeployment pod templates. */
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
        case "Pod", "Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" ->
            throw new AssertionError("unexpected bare workload " + m + ": add it to Workloads.podSpecs()");
        default -> { }
      }
    }
    return out;
  }

  static List<Manifest> cronJobs() {
    return Manifest.ofKind(Repo.applied(), "CronJob");
  }

  static Manifest bronze() {
    return Repo.appliedOne("FlinkDeployment", "deep-storage-bronze");
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

  /** The value following a flag in an argument list, e.g. --class. */
  static String argAfter(List<String> args, String flag) {
    int i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.size()) {
      throw new AssertionError(flag + " not found in " + args);
    }
    return args.get(i + 1);
  }
}
