package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

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
    for (Manifest cj : Workloads.cronJobs()) {
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
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      if (pod.owner().kind().equals("CronJob")) {
        assertThat(envNamesGiven(pod)).as(pod.toString()).isNotEmpty().isSubsetOf(known);
      }
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
}
