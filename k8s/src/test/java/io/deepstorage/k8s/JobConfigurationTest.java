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
      // In the module whose job jar it submits (retention: the silver jar).
      assertClassExists(Workloads.sparkModule(cj), Workloads.argAfter(Workloads.sparkArgs(cj), "--class"));
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

  // ---- the replay Job, the audit and compaction CronJobs: commands of the bronze job jar ---------------------

  /** What each maintenance workload runs: its main class in the job jar. */
  static final Map<String, String> COMMANDS = Map.of(
      "deep-storage-replay", "io.deepstorage.bronze.ReplayCommand",
      "deep-storage-bronze-audit", "io.deepstorage.bronze.AuditCommand",
      "deep-storage-bronze-compact", "io.deepstorage.bronze.CompactCommand");

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
    return unknownVariables(container, JobJar.options(mainClass), RUNTIME_VARIABLES);
  }

  /** The variables a container is given that are neither one of these options' nor one its runtime reads. */
  static Set<String> unknownVariables(Map<String, Object> container, List<JobJar.Option> options, Set<String> runtime) {
    Set<String> unknown = new LinkedHashSet<>(variablesGiven(container));
    unknown.removeAll(JobJar.variables(options));
    unknown.removeAll(runtime);
    return unknown;
  }

  /** The container's arguments that are not options of its command (an unknown option's value is skipped with it). */
  static List<String> unknownArguments(Map<String, Object> container, String mainClass) {
    return unknownArguments(Trees.strings(container, "args"), JobJar.options(mainClass));
  }

  static List<String> unknownArguments(List<String> args, List<JobJar.Option> optionList) {
    Map<String, JobJar.Option> options = new java.util.HashMap<>();
    optionList.forEach(o -> options.put(o.name(), o));
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
  void the_bronze_maintenance_pods_run_a_main_class_of_the_job_jar_the_flink_image_bakes(Workloads.PodSpec pod) {
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
  void every_variable_given_to_the_bronze_maintenance_pods_is_one_their_command_reads(Workloads.PodSpec pod) {
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
  void every_argument_given_to_the_bronze_maintenance_pods_is_an_option_of_their_command(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    assertThat(unknownArguments(c, commandOf(pod))).as(pod.toString()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_bronze_maintenance_pods_are_given_every_setting_their_command_requires_in_the_cluster(Workloads.PodSpec pod) {
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

  /** Whether a bronze command reads the outbox: its OPTIONS (in the job jar) include the database's. */
  static boolean readsOutbox(String mainClass) {
    return JobJar.options(mainClass).stream().anyMatch(o -> "PG_HOST".equals(o.envVar()));
  }

  @Test
  void the_replay_and_audit_read_the_outbox_and_the_compaction_does_not() {
    assertThat(readsOutbox("io.deepstorage.bronze.ReplayCommand")).isTrue();
    assertThat(readsOutbox("io.deepstorage.bronze.AuditCommand")).isTrue();
    assertThat(readsOutbox("io.deepstorage.bronze.CompactCommand")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_bronze_maintenance_pods_read_the_lake_bronze_writes_and_the_outbox_bronze_reads(Workloads.PodSpec pod) {
    Map<String, Object> c = Workloads.jvmContainer(pod);
    Map<String, Object> conf = Workloads.flinkConf();
    assertThat(Workloads.envValue(c, "S3_ENDPOINT")).isEqualTo(conf.get("s3.endpoint"));
    assertThat(Workloads.envValue(c, "S3_PATH_STYLE")).isEqualTo(conf.get("s3.path.style.access"));
    // The bucket and the database from bronze's own ConfigMap, key by key (the ConfigMap also holds slot and
    // publication settings the commands do not read), and the credentials from the bronze job's Secrets.
    boolean outbox = readsOutbox(commandOf(pod));
    List<String> configKeys = outbox ? List.of("S3_BUCKET", "PG_HOST", "PG_PORT", "PG_DATABASE") : List.of("S3_BUCKET");
    for (String key : configKeys) {
      assertThat(Trees.map(Workloads.envVar(c, key), "valueFrom.configMapKeyRef"))
          .as(pod + " " + key).containsEntry("name", "deep-storage-bronze-config").containsEntry("key", key);
    }
    Map<String, Object> bronzeContainer = Trees.map(Workloads.bronze().tree(), "spec.podTemplate.spec.containers.0");
    List<String> secretKeys = outbox ? List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PG_USER", "PG_PASSWORD")
        : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    for (String key : secretKeys) {
      assertThat(Workloads.envVar(c, key)).as(pod + " " + key).isEqualTo(Workloads.envVar(bronzeContainer, key));
    }
    if (!outbox) {
      // Not even the database's password: a command that never connects gets none of it.
      assertThat(variablesGiven(c)).as(pod.toString()).noneMatch(v -> v.startsWith("PG_"));
      assertThat(Trees.list(c, "env")).as(pod.toString())
          .noneMatch(e -> "deep-storage-postgres".equals(Trees.get(e, "valueFrom.secretKeyRef.name")));
    }
  }

  /** "128MB" as CompactCommand reads sizes (B, KB, MB, GB; binary multiples). */
  static long compactBytes(String text) {
    Matcher m = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE).matcher(text.strip());
    assertThat(m.matches()).as("a size like 128MB: " + text).isTrue();
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(java.util.Locale.ROOT);
    return switch (unit) {
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      case "GB" -> n << 30;
      default -> n;
    };
  }

  @Test
  void the_compaction_rewrites_yesterday_at_the_commands_default_part_size_with_a_heap_that_holds_a_part() {
    Map<String, Object> c = Workloads.jvmContainer(Workloads.podOf(Workloads.compact()));
    String command = "io.deepstorage.bronze.CompactCommand";
    assertThat(Workloads.envValue(c, "COMPACT_DATE")).as("the closed date before today").isEqualTo("yesterday");
    JobJar.Option targetSize = JobJar.options(command).stream()
        .filter(o -> "COMPACT_TARGET_SIZE".equals(o.envVar())).findFirst().orElseThrow();
    assertThat(Workloads.envValue(c, "COMPACT_TARGET_SIZE")).as("the command's default, stated")
        .isEqualTo(targetSize.defaultValue()).isEqualTo("128MB");
    // The writer buffers the part it writes (up to the target size) in the heap, beside the rows streaming through.
    long heap = Quantities.jvmBytes(Workloads.heap(c));
    assertThat(heap).as("heap against COMPACT_TARGET_SIZE").isGreaterThanOrEqualTo(4 * compactBytes(
        Workloads.envValue(c, "COMPACT_TARGET_SIZE")));
    assertThat(Workloads.heap(c)).isEqualTo("1g");
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

  // ---- the retention CronJob: RetentionJob of the silver job jar, under spark-submit ------------------------

  static final String RETENTION = "io.deepstorage.silver.RetentionJob";

  /** Where the Spark image's jobs come from: the silver job jar, which holds RetentionJob beside SilverJob. */
  static final String SILVER_JAR_MODULE = "spark-silver";

  /** What RetentionJob takes: spark-support's lake options (JobLauncher adds them to every Spark job) and its own. */
  static List<JobJar.Option> retentionOptions() {
    List<JobJar.Option> all = new ArrayList<>(JobJar.options(SILVER_JAR_MODULE, "io.deepstorage.spark.LakeConfig"));
    all.addAll(JobJar.options(SILVER_JAR_MODULE, RETENTION));
    return all;
  }

  /** Variables Spark's launcher and JVM read rather than the job: its scratch directory and the user's home. */
  static final Set<String> SPARK_RUNTIME_VARIABLES = Set.of("HOME", "SPARK_LOCAL_DIRS");

  @Test
  void the_retention_runs_a_main_class_of_the_silver_job_jar_the_spark_image_bakes() {
    Manifest retention = Workloads.retention();
    assertThat(Workloads.argAfter(Workloads.sparkArgs(retention), "--class")).isEqualTo(RETENTION);
    assertThat(Workloads.sparkModule(retention)).isEqualTo(SILVER_JAR_MODULE);
    assertThat(Workloads.sparkJar(retention)).isEqualTo(Workloads.sparkJar(Workloads.silver()));
    assertClassExists(SILVER_JAR_MODULE, RETENTION);
    assertThat(JobJar.hasMain(SILVER_JAR_MODULE, RETENTION)).as(RETENTION + " has a main in the silver job jar").isTrue();
  }

  @Test
  void every_variable_given_to_the_retention_is_one_of_its_options_or_one_spark_reads() {
    Map<String, Object> c = Workloads.sparkContainer(Workloads.retention());
    assertThat(variablesGiven(c)).isNotEmpty();
    assertThat(unknownVariables(c, retentionOptions(), SPARK_RUNTIME_VARIABLES))
        .as("variables LakeConfig.OPTIONS and RetentionJob.OPTIONS do not know").isEmpty();
    assertThat(Trees.list(c, "envFrom")).as("key by key: deep-storage-spark-config also holds GOLD_VERSION").isEmpty();
  }

  @Test
  void every_argument_given_to_the_retention_after_its_jar_is_an_option_of_the_job() {
    assertThat(unknownArguments(Workloads.sparkAppArgs(Workloads.retention()), retentionOptions())).isEmpty();
  }

  @Test
  void the_retention_deletes_for_real_at_the_contracts_ages_from_today_in_the_lake_silver_uses() {
    Map<String, Object> c = Workloads.sparkContainer(Workloads.retention());
    Map<String, JobJar.Option> options = new java.util.HashMap<>();
    retentionOptions().forEach(o -> options.put(o.envVar(), o));
    // The data contract: bronze 90 days, silver 365 days, gold kept (the job has no gold setting at all). Stated
    // in the manifest, and the job's defaults too, so a command line without them deletes the same.
    assertThat(Workloads.envValue(c, "RETENTION_BRONZE_DAYS")).isEqualTo("90")
        .isEqualTo(options.get("RETENTION_BRONZE_DAYS").defaultValue());
    assertThat(Workloads.envValue(c, "RETENTION_SILVER_DAYS")).isEqualTo("365")
        .isEqualTo(options.get("RETENTION_SILVER_DAYS").defaultValue());
    assertThat(options.keySet()).noneMatch(v -> v != null && v.contains("GOLD"));
    assertThat(Workloads.envValue(c, "RETENTION_DRY_RUN")).as("stated: the schedule deletes").isEqualTo("false");
    assertThat(options.get("RETENTION_DRY_RUN").flag()).isTrue();
    assertThat(Workloads.envVar(c, "RETENTION_AS_OF")).as("unset: today (UTC)").isNull();
    // The lake: silver's ConfigMap, key by key, and silver's credentials.
    Map<String, Object> silver = Workloads.sparkContainer(Workloads.silver());
    assertThat(Trees.list(silver, "envFrom")).anySatisfy(ef ->
        assertThat(Trees.get(ef, "configMapRef.name")).isEqualTo("deep-storage-spark-config"));
    for (String key : List.of("S3_ENDPOINT", "S3_BUCKET", "S3_PATH_STYLE")) {
      assertThat(Trees.map(Workloads.envVar(c, key), "valueFrom.configMapKeyRef")).as(key)
          .containsEntry("name", "deep-storage-spark-config").containsEntry("key", key);
    }
    for (String key : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
      assertThat(Workloads.envVar(c, key)).as(key).isNotNull().isEqualTo(Workloads.envVar(silver, key));
    }
    // Every option an s3a lake requires (LakeConfig: the bucket, the endpoint; the keys above) is given.
    for (String required : List.of("S3_BUCKET", "S3_ENDPOINT")) {
      assertThat(variablesGiven(c)).contains(required);
    }
    assertThat(Workloads.envValue(c, "SPARK_LOCAL_DIRS")).isEqualTo(Workloads.envValue(silver, "SPARK_LOCAL_DIRS"));
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
  void the_bronze_maintenance_JVMs_open_the_JDK_modules_that_deep_storage_opens_for_flink(Workloads.PodSpec pod) {
    assertThat(Workloads.jvmFlags(Workloads.jvmContainer(pod))).containsAll(deepStorageJvmFlags());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maintenancePods")
  void the_bronze_maintenance_JVMs_get_the_JIT_settings_that_deep_storage_gives_the_same_command(Workloads.PodSpec pod) {
    assertThat(Workloads.jvmFlags(Workloads.jvmContainer(pod))).containsSequence(io.deepstorage.local.JobCommand.JvmOptions.JIT);
  }

  @Test
  void the_bronze_task_manager_gets_the_JIT_settings_that_deep_storage_gives_the_bronze_job() {
    String options = String.valueOf(Workloads.flinkConf().get("env.java.opts.taskmanager"));
    assertThat(List.of(options.strip().split("\\s+"))).isEqualTo(io.deepstorage.local.JobCommand.JvmOptions.JIT);
  }
}
