package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SecretsAndEnvTest {

  static final Set<String> PLACEHOLDERS = Set.of("REPLACE_ME");

  // ---- a small secret detector ------------------------------------------------------------------------------

  static final Pattern AWS_KEY_ID = Pattern.compile("(AKIA|ASIA)[0-9A-Z]{16}");
  static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9+/=_\\-]{20,}");
  /** A HotSpot option (-XX:Tier4CompileThreshold=150000): long, mixed-case and with digits, but never a credential. */
  static final Pattern HOTSPOT_OPTION = Pattern.compile("-XX:[+-]?[A-Za-z0-9]+(=[A-Za-z0-9.]+)?");
  static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|private|access.?key).*");

  /** True for values that look like credentials: key ids, PEM blocks, long high-entropy tokens. */
  static boolean looksSecret(String value) {
    if (value.contains("-----BEGIN") || AWS_KEY_ID.matcher(value).find()) {
      return true;
    }
    Matcher m = TOKEN.matcher(HOTSPOT_OPTION.matcher(value).replaceAll(" "));
    while (m.find()) {
      String t = m.group();
      boolean mixed = t.matches(".*[a-z].*") && t.matches(".*[A-Z].*") && t.matches(".*[0-9].*");
      if (mixed && entropy(t) > 3.5) {
        return true;
      }
    }
    return false;
  }

  static double entropy(String s) {
    Map<Character, Integer> counts = new HashMap<>();
    for (char c : s.toCharArray()) {
      counts.merge(c, 1, Integer::sum);
    }
    double h = 0;
    for (int n : counts.values()) {
      double p = (double) n / s.length();
      h -= p * Math.log(p) / Math.log(2);
    }
    return h;
  }

  @Test
  void the_secret_detector_catches_credential_shaped_values_and_passes_ordinary_config() {
    assertThat(looksSecret("AKIAIOSFODNN7EXAMPLE")).isTrue();
    assertThat(looksSecret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).isTrue();
    assertThat(looksSecret("-----BEGIN PRIVATE KEY-----")).isTrue();
    assertThat(looksSecret("Zq8vN3kLp2Rt7YwX5mB1cD0e")).isTrue();
    assertThat(looksSecret("https://eu2.contabostorage.com")).isFalse();
    assertThat(looksSecret("org.apache.flink.metrics.prometheus.PrometheusReporterFactory")).isFalse();
    assertThat(looksSecret("ghcr.io/ldamasio/deep-storage-flink-bronze:0.1.0")).isFalse();
    assertThat(looksSecret("REPLACE_ME")).isFalse();
    assertThat(looksSecret("-XX:Tier4InvocationThreshold=50000 -XX:Tier4CompileThreshold=150000")).isFalse();
    assertThat(looksSecret("-XX:Tier4CompileThreshold=150000 Zq8vN3kLp2Rt7YwX5mB1cD0e")).isTrue();
  }

  static List<Manifest> everything() {
    List<Manifest> all = new ArrayList<>(Repo.validated());
    all.addAll(Repo.secretTemplates());
    return all;
  }

  @Test
  void no_manifest_or_template_carries_a_real_looking_secret_value() {
    for (Manifest m : everything()) {
      Trees.walk(m.tree(), "", (path, value) -> {
        if (value instanceof String s) {
          assertThat(looksSecret(s)).as(m + " " + path + " looks like a credential").isFalse();
        }
      });
    }
  }

  @Test
  void secret_templates_use_stringData_with_placeholders_only() {
    List<Manifest> templates = Repo.secretTemplates();
    assertThat(templates).extracting(Manifest::name)
        .contains("deep-storage-s3", "deep-storage-postgres");
    for (Manifest t : templates) {
      assertThat(t.tree()).as(t.toString()).doesNotContainKey("data").containsKey("stringData");
      Trees.map(t.tree(), "stringData").forEach((k, v) ->
          assertThat(PLACEHOLDERS.stream().anyMatch(p -> String.valueOf(v).contains(p)))
              .as(t + " " + k + " must be a placeholder").isTrue());
    }
  }

  @Test
  void config_maps_hold_no_credential_keys() {
    for (Manifest cm : Manifest.ofKind(Repo.applied(), "ConfigMap")) {
      assertThat(Trees.map(cm.tree(), "data").keySet()).as(cm.toString())
          .noneMatch(k -> SECRET_NAME.matcher(k).matches());
    }
  }

  // ---- environment of every container -----------------------------------------------------------------------

  record Env(Workloads.PodSpec pod, Map<String, Object> container, Map<String, Object> var) {}

  @SuppressWarnings("unchecked")
  static List<Env> envs() {
    List<Env> out = new ArrayList<>();
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      for (Map<String, Object> c : pod.containers()) {
        for (Object e : Trees.list(c, "env")) {
          out.add(new Env(pod, c, (Map<String, Object>) e));
        }
      }
    }
    return out;
  }

  @Test
  void no_env_value_relies_on_shell_expansion() {
    assertThat(envs()).isNotEmpty();
    for (Env e : envs()) {
      assertThat(String.valueOf(e.var().getOrDefault("value", ""))).as(e.pod() + " " + e.var().get("name"))
          .doesNotContain("$(").doesNotContain("`").doesNotContain("${");
    }
    for (Manifest cm : Manifest.ofKind(Repo.applied(), "ConfigMap")) {
      Trees.map(cm.tree(), "data").forEach((k, v) ->
          assertThat(String.valueOf(v)).as(cm + " " + k).doesNotContain("$(").doesNotContain("${"));
    }
  }

  @Test
  void credentials_reach_containers_only_from_secrets_that_the_templates_define() {
    Map<String, Set<String>> templateKeys = new HashMap<>();
    for (Manifest t : Repo.secretTemplates()) {
      templateKeys.put(t.name(), Trees.map(t.tree(), "stringData").keySet());
    }
    Set<String> required = new HashSet<>(Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"));
    Set<String> seen = new HashSet<>();
    for (Env e : envs()) {
      String name = String.valueOf(e.var().get("name"));
      boolean credential = SECRET_NAME.matcher(name).matches() || name.equals("PG_USER");
      Object ref = Trees.get(e.var(), "valueFrom.secretKeyRef");
      if (credential) {
        assertThat(e.var()).as(e.pod() + " " + name + " must come from a Secret").doesNotContainKey("value");
        assertThat(ref).as(e.pod() + " " + name).isNotNull();
        seen.add(name);
      }
      if (ref != null) {
        String secret = String.valueOf(Trees.get(ref, "name"));
        assertThat(templateKeys).as("Secret " + secret + " has a template").containsKey(secret);
        assertThat(templateKeys.get(secret)).as(secret).contains(String.valueOf(Trees.get(ref, "key")));
      }
    }
    assertThat(seen).containsAll(required).contains("PG_PASSWORD");
  }

  @Test
  void every_pod_that_writes_to_S3_gets_both_keys_from_a_secret() {
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      Set<String> fromSecret = new HashSet<>();
      for (Env e : envs()) {
        if (e.pod().equals(pod) && Trees.get(e.var(), "valueFrom.secretKeyRef") != null) {
          fromSecret.add(String.valueOf(e.var().get("name")));
        }
      }
      assertThat(fromSecret).as(pod.toString()).contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }
  }

  @Test
  void env_from_refers_only_to_applied_config_maps_and_never_to_whole_secrets() {
    Set<String> configMaps = new HashSet<>();
    Manifest.ofKind(Repo.applied(), "ConfigMap").forEach(cm -> configMaps.add(cm.name()));
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      for (Map<String, Object> c : pod.containers()) {
        for (Object ef : Trees.list(c, "envFrom")) {
          assertThat(Trees.asMap(ef)).as(pod.toString()).doesNotContainKey("secretRef");
          assertThat(configMaps).contains(String.valueOf(Trees.get(ef, "configMapRef.name")));
        }
      }
    }
  }

  @Test
  void every_config_map_key_reference_names_an_applied_config_map_and_a_key_it_holds() {
    int refs = 0;
    for (Env e : envs()) {
      Object ref = Trees.get(e.var(), "valueFrom.configMapKeyRef");
      if (ref != null) {
        refs++;
        String name = String.valueOf(Trees.get(ref, "name"));
        Map<String, Object> data = Trees.map(Repo.appliedOne("ConfigMap", name).tree(), "data");
        assertThat(data).as(e.pod() + " " + e.var().get("name") + " from " + name)
            .containsKey(String.valueOf(Trees.get(ref, "key")));
        assertThat(Trees.get(ref, "optional")).as("a missing key must stop the pod, not start it without").isNull();
      }
    }
    assertThat(refs).as("the replay and audit take single keys of deep-storage-bronze-config").isPositive();
  }

  @Test
  void the_jobs_get_their_endpoint_and_bucket_from_config_maps() {
    Map<String, Object> bronze = Trees.map(Repo.appliedOne("ConfigMap", "deep-storage-bronze-config").tree(), "data");
    Map<String, Object> spark = Trees.map(Repo.appliedOne("ConfigMap", "deep-storage-spark-config").tree(), "data");
    assertThat(bronze).containsEntry("PG_HOST", "paradedb.robson.svc.cluster.local").containsEntry("PG_PORT", "5432")
        .containsEntry("S3_BUCKET", "rbs")
        .containsEntry("BRONZE_SLOT_NAME", "deep_storage_bronze")
        .containsEntry("BRONZE_PUBLICATION", "deep_storage_bronze")
        .containsKeys("PG_DATABASE", "BRONZE_CHECKPOINT_INTERVAL", "BRONZE_DEDUP_TTL")
        // With S3_ENDPOINT set, BronzeJob re-initialises Flink's filesystems itself (meant for local runs); in the
        // cluster the FlinkDeployment's s3.* options configure the plugin.
        .doesNotContainKey("S3_ENDPOINT");
    assertThat(spark).containsEntry("S3_ENDPOINT", "https://eu2.contabostorage.com").containsEntry("S3_BUCKET", "rbs")
        .containsEntry("S3_PATH_STYLE", "true").containsKey("GOLD_VERSION");
  }
}
