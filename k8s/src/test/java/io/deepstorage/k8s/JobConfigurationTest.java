package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests and the job code agree: the main classes exist, and every environment variable the manifests hand a
 * job is one that job's code (or the runtime it runs on) actually reads. A renamed option shows up here, not as a
 * silently ignored setting in production.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JobConfigurationTest {

  /** Upper-case string literals ("PG_HOST") in a module's main sources: the environment variables it can read. */
  static Set<String> envLiterals(String... modules) {
    Set<String> out = new HashSet<>();
    Pattern literal = Pattern.compile("\"([A-Z][A-Z0-9_]{2,})\"");
    for (String module : modules) {
      Path src = Repo.ROOT.resolve(module).resolve("src/main/java");
      assertThat(src).as(module + " sources").isDirectory();
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = literal.matcher(Repo.read(f));
          while (m.find()) {
            out.add(m.group(1));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  static Set<String> envNamesGiven(Workloads.PodSpec pod) {
    Set<String> names = new HashSet<>();
    for (Map<String, Object> c : pod.containers()) {
      for (Object e : Trees.list(c, "env")) {
        names.add(String.valueOf(Trees.get(e, "name")));
      }
      for (Object ef : Trees.list(c, "envFrom")) {
        String cm = String.valueOf(Trees.get(ef, "configMapRef.name"));
        names.addAll(Trees.map(Repo.appliedOne("ConfigMap", cm).tree(), "data").keySet());
      }
    }
    return names;
  }

  static void assertClassExists(String module, String fqcn) {
    assertThat(Repo.ROOT.resolve(module).resolve("src/main/java").resolve(fqcn.replace('.', '/') + ".java"))
        .as(fqcn).isRegularFile();
  }

  @Test
  void the_entry_classes_the_manifests_name_exist_in_their_modules() {
    assertClassExists("flink-bronze", String.valueOf(Trees.get(Workloads.bronze().tree(), "spec.job.entryClass")));
    for (Manifest cj : Workloads.sparkCronJobs()) {
      String layer = cj.name().replace("deep-storage-", "");
      assertClassExists("spark-" + layer, Workloads.argAfter(Workloads.sparkArgs(cj), "--class"));
    }
  }

  @Test
  void every_variable_given_to_the_bronze_pods_is_read_by_the_bronze_job() {
    Set<String> known = envLiterals("flink-bronze", "job-cli");
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      if (pod.owner().kind().equals("FlinkDeployment")) {
        assertThat(envNamesGiven(pod)).as(pod.toString()).isNotEmpty().isSubsetOf(known);
      }
    }
  }

  @Test
  void every_variable_given_to_the_spark_pods_is_read_by_the_spark_jobs_or_by_spark() {
    Set<String> known = envLiterals("spark-silver", "spark-gold", "spark-support", "job-cli");
    known.addAll(List.of("HOME", "SPARK_LOCAL_DIRS"));
    for (Manifest cj : Workloads.sparkCronJobs()) {
      assertThat(envNamesGiven(Workloads.podOf(cj))).as(cj.toString()).isNotEmpty().isSubsetOf(known);
    }
  }

  @Test
  void the_daily_gold_run_refreshes_its_version_instead_of_failing_on_the_second_day() {
    Manifest gold = Repo.appliedOne("CronJob", "deep-storage-gold");
    assertThat(Trees.list(Workloads.sparkContainer(gold), "env"))
        .anySatisfy(e -> assertThat(Trees.asMap(e)).containsEntry("name", "GOLD_OVERWRITE").containsEntry("value", "true"));
    Manifest silver = Repo.appliedOne("CronJob", "deep-storage-silver");
    assertThat(Trees.list(Workloads.sparkContainer(silver), "env"))
        .noneSatisfy(e -> assertThat(Trees.asMap(e)).containsEntry("name", "GOLD_OVERWRITE"));
  }

  // ---- the replay Job and the audit CronJob: commands of the bronze job jar ----------------------------------

  /** What each maintenance workload runs: its main class in the job jar. */
  static final Map<String, String> COMMANDS = Map.of(
      "deep-storage-replay", "io.deepstorage.bronze.ReplayCommand",
      "deep-storage-bronze-audit", "io.deepstorage.bronze.AuditCommand");

  /**
   * Variables the JVM's surroundings read rather than the command's options: where Flink finds its S3 plugin
   * (Flink's own FLINK_PLUGINS_DIR) and the flink-conf.yaml InProcessFlink loads (FLINK_CONF_DIR).
   */
  static final Set<String> RUNTIME_VARIABLES = Set.of("FLINK_PLUGINS_DIR", "FLINK_CONF_DIR");

  static List<Workloads.PodSpec> maintenancePods() {
    return Workloads.maintenancePods();
  }

  static String commandOf(Workloads.PodSpec pod) {
    String name = String.valueOf(pod.labels().get("app.kubernetes.io/name"));
    assertThat(COMMANDS).as(pod + " app.kubernetes.io/name").containsKey(name);
    return COMMANDS.get(name);
  }

  /** The env variables of a container (its env entries and the keys of the ConfigMaps it takes whole). */
  static Set<String> variablesGiven(Map<String, Object> container) {
    Set<String> names = new LinkedHashSet<>();
    for (Object e : Trees.list(container, "env")) {
      names.add(String.valueOf(Trees.get(e, "name")));
    }
    for (Object ef : Trees.list(container, "envFrom")) {
      String cm = String.valueOf(Trees.get(ef, "configMapRef.name"));
      names.addAll(Trees.map(Repo.appliedOne("ConfigMap", cm).tree(), "data").keySet());
    }
    return names;
  }

  /** The variables a container is given that neither its command (OPTIONS, in the job jar) nor its JVM reads. */
  static Set<String> unknownVariables(Map<String, Object> container, String mainClass) {
    Set<String> unknown = new LinkedHashSet<>(variablesGiven(container));
    unknown.removeAll(JobJar.variables(mainClass));
    unknown.removeAll(RUNTIME_VARIABLES);
    return unknown;
  }

  /** The container's arguments that are not options of its command (an unknown option's value is skipped with it). */
  static List<String> unknownArguments(Map<String, Object> container, String mainClass) {
    Map<String, JobJar.Option> options = new java.util.HashMap<>();
    JobJar.options(mainClass).forEach(o -> options.put(o.name(), o));
    List<String> args = Trees.strings(container, "args");
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        unknown.add(a + " (not an option)");
        continue;
      }
      String name = a.substring(2).split("=", 2)[0];
      JobJar.Option o = options.get(name);
      if (o == null) {
        unknown.add(a);
      }
      boolean takesValue = o == null || !o.flag();
      if (takesValue && !a.contains("=") && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        i++; // its value
      }
    }
    return unknown;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_run_a_main_class_of_the_job_jar_the_flink_image_bakes(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    String main = Workloads.mainClass(c);
    assertThat(main).isEqualTo(commandOf(pod));
    assertClassExists("flink-bronze", main);
    assertThat(JobJar.hasMain(main)).as(main + " has public static void main(String[]) in the job jar").isTrue();
    // Flink's own jars from the image, then the job jar where the FlinkDeployment's jarURI finds it.
    String jar = String.valueOf(Trees.get(Workloads.bronze().tree(), "spec.job.jarURI")).substring("local://".length());
    assertThat(Workloads.classpath(c)).isEqualTo("/opt/flink/lib/*:" + jar);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void every_variable_given_to_the_replay_and_audit_is_one_their_command_reads(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    assertThat(variablesGiven(c)).as(pod.toString()).isNotEmpty();
    assertThat(unknownVariables(c, commandOf(pod))).as(pod + ": variables " + commandOf(pod) + ".OPTIONS does not know")
        .isEmpty();
    assertThat(RUNTIME_VARIABLES).allSatisfy(v -> assertThat(Workloads.envValue(c, v)).as(v).isNotBlank());
    // FLINK_CONF_DIR is read by our code (InProcessFlink), so a rename there shows up here.
    assertThat(envLiterals("flink-bronze")).contains("FLINK_CONF_DIR");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void every_argument_given_to_the_replay_and_audit_is_an_option_of_their_command(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    assertThat(unknownArguments(c, commandOf(pod))).as(pod.toString()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_are_given_every_setting_their_command_requires_in_the_cluster(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    Set<String> given = variablesGiven(c);
    Set<String> argNames = new HashSet<>();
    Trees.strings(c, "args").stream().filter(a -> a.startsWith("--")).forEach(a -> argNames.add(a.substring(2)));
    for (JobJar.Option o : JobJar.options(commandOf(pod))) {
      // Required by the option itself, or here: the bucket, and the endpoint (Flink runs in the command's process).
      if (o.required() || o.name().equals("bucket") || o.name().equals("s3-endpoint")) {
        assertThat(given.contains(o.envVar()) || argNames.contains(o.name()))
            .as(pod + " gives --" + o.name() + " or " + o.envVar()).isTrue();
      }
      if (o.secretEnv() != null && !given.contains(o.envVar())) {
        assertThat(given).as(pod + ": " + o.secretEnv() + " or " + o.envVar()).contains(o.secretEnv());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_read_the_lake_bronze_writes_and_the_outbox_bronze_reads(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    Map<String, Object> conf = Workloads.flinkConf();
    assertThat(Workloads.envValue(c, "S3_ENDPOINT")).isEqualTo(conf.get("s3.endpoint"));
    assertThat(Workloads.envValue(c, "S3_PATH_STYLE")).isEqualTo(conf.get("s3.path.style.access"));
    // The bucket and the database from bronze's own ConfigMap, key by key (the ConfigMap also holds slot and
    // publication settings the commands do not read), and the credentials from the bronze job's Secrets.
    for (String key : List.of("S3_BUCKET", "PG_HOST", "PG_PORT", "PG_DATABASE")) {
      assertThat(Trees.map(Workloads.envVar(c, key), "valueFrom.configMapKeyRef"))
          .as(pod + " " + key).containsEntry("name", "deep-storage-bronze-config").containsEntry("key", key);
    }
    Map<String, Object> bronzeContainer = Trees.map(Workloads.bronze().tree(), "spec.podTemplate.spec.containers.0");
    for (String key : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PG_USER", "PG_PASSWORD")) {
      assertThat(Workloads.envVar(c, key)).as(pod + " " + key).isEqualTo(Workloads.envVar(bronzeContainer, key));
    }
  }

  @Test
  void the_replay_checkpoints_on_the_object_store_where_its_default_would_and_apart_from_bronze() {
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(Workloads.replay()));
    String bucket = String.valueOf(Trees.get(Repo.appliedOne("ConfigMap", "deep-storage-bronze-config").tree(),
        "data.S3_BUCKET"));
    assertThat(Workloads.envValue(c, "REPLAY_CHECKPOINT_DIR")).isEqualTo("s3://" + bucket + "/flink/replay-checkpoints")
        .isNotEqualTo(Workloads.flinkConf().get("state.checkpoints.dir"));
    assertThat(JobJar.options("io.deepstorage.bronze.ReplayCommand")).anySatisfy(o -> {
      assertThat(o.envVar()).isEqualTo("REPLAY_CHECKPOINT_DIR");
      assertThat(o.description()).contains("s3://<bucket>/flink/replay-checkpoints");
    });
    assertThat(Trees.strings(c, "args")).as("the window to replay").contains("--from");
  }

  @Test
  void the_audit_pushes_its_metrics_to_a_pushgateway_in_the_monitoring_namespace() {
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(Workloads.audit()));
    assertThat(Workloads.envValue(c, "AUDIT_METRICS_PUSH_URL"))
        .matches("http://[a-z0-9-]+\\.monitoring\\.svc(\\.cluster\\.local)?:9091");
  }

  /** The --add-opens and other flags ./deep-storage gives its Flink JVMs (local-pipeline JobProcess.JAVA17_OPENS). */
  static List<String> deepStorageJvmFlags() {
    String source = Repo.read(Repo.ROOT.resolve("local-pipeline/src/main/java/io/deepstorage/local/JobProcess.java"));
    int start = source.indexOf("JAVA17_OPENS = List.of(");
    assertThat(start).as("JobProcess.JAVA17_OPENS").isNotNegative();
    String list = source.substring(start, source.indexOf(");", start));
    List<String> flags = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(list);
    while (m.find()) {
      flags.add(m.group(1));
    }
    assertThat(flags).anyMatch(f -> f.startsWith("--add-opens="));
    return flags;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_replay_and_audit_JVMs_open_the_JDK_modules_that_deep_storage_opens_for_flink(Workloads.PodSpec pod) {
    assertThat(Workloads.jvmFlags(Workloads.jvmContainer(pod))).containsAll(deepStorageJvmFlags());
  }
}
