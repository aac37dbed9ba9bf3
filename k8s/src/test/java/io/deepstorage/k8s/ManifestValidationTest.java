package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ManifestValidationTest {

  static Stream<Manifest> appliedManifests() {
    return Repo.applied().stream();
  }

  static Stream<Manifest> handCreatedManifests() {
    return Repo.handCreated().stream();
  }

  static Stream<Manifest> secretTemplates() {
    return Repo.secretTemplates().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("appliedManifests")
  void every_applied_manifest_validates_strictly_against_its_API_schema(Manifest m) {
    assertThatCode(() -> Validators.validate(m.tree())).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("handCreatedManifests")
  void every_hand_created_manifest_validates_strictly_against_its_API_schema(Manifest m) {
    assertThatCode(() -> Validators.validate(m.tree())).doesNotThrowAnyException();
  }

  @Test
  void the_hand_created_replay_is_a_Job_template_that_is_never_applied_and_is_named_anew_each_time() {
    assertThat(Repo.handCreatedFiles()).as("k8s/jobs/").containsExactly(Repo.K8S.resolve("jobs/replay.yaml"));
    assertThat(Repo.appliedFiles()).noneMatch(p -> p.startsWith(Repo.K8S.resolve("jobs")));
    assertThat(Repo.handCreated()).isNotEmpty().allSatisfy(m -> {
      assertThat(m.kind()).as(m.toString()).isEqualTo("Job");
      assertThat(m.namespace()).as(m.toString()).isEqualTo("analytics-jobs");
      // generateName and no name: `kubectl apply` refuses it, and every `kubectl create` makes a Job of its own.
      assertThat(m.name()).as(m + " metadata.name").isNull();
      assertThat(m.generateName()).as(m.toString()).endsWith("-");
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secretTemplates")
  void every_secret_template_is_a_valid_Secret_too(Manifest m) {
    assertThat(m.kind()).isEqualTo("Secret");
    assertThatCode(() -> KubernetesValidator.validate(m.tree())).doesNotThrowAnyException();
  }

  @Test
  void the_applied_set_holds_every_kind_the_deployment_needs() {
    assertThat(Repo.applied()).extracting(Manifest::kind).contains(
        "Namespace", "ServiceAccount", "Role", "RoleBinding", "ResourceQuota", "LimitRange", "NetworkPolicy",
        "ConfigMap", "FlinkDeployment", "CronJob", "PrometheusRule");
  }

  @Test
  void the_kustomization_lists_every_manifest_file_and_no_secret_template() throws Exception {
    List<Path> applied = Repo.appliedFiles();
    assertThat(applied).allSatisfy(p -> assertThat(p).isRegularFile());
    assertThat(applied).doesNotHaveDuplicates();
    assertThat(applied).containsExactlyInAnyOrderElementsOf(Repo.filesUnder("manifests", ".yaml"));
    assertThat(applied).noneMatch(p -> p.startsWith(Repo.K8S.resolve("secrets")));
    assertThat(Repo.kustomization()).containsOnlyKeys("apiVersion", "kind", "configurations", "resources");
    assertThat(Repo.kustomization().get("kind")).isEqualTo("Kustomization");
  }

  @Test
  void the_kustomization_configurations_are_transformer_configurations_not_manifests() {
    List<String> configurations = Trees.strings(Repo.kustomization(), "configurations");
    assertThat(configurations).isNotEmpty();
    for (String file : configurations) {
      Path p = Repo.K8S.resolve(file).normalize();
      assertThat(p).as(file).isRegularFile();
      assertThat(Repo.appliedFiles()).as(file).doesNotContain(p);
      assertThat(p.startsWith(Repo.K8S.resolve("manifests"))).as(file + " outside manifests/").isFalse();
      List<Object> docs = Yaml2Json.loadAll(Repo.read(p));
      assertThat(docs).as(file).hasSize(1);
      // Only fieldSpec lists (kustomize's transformer configuration), never an object for the API server.
      assertThat(Trees.asMap(docs.get(0))).as(file).doesNotContainKeys("apiVersion", "kind").containsOnlyKeys("images");
      for (Object spec : Trees.list(docs.get(0), "images")) {
        assertThat(Trees.asMap(spec)).as(file).containsOnlyKeys("path", "kind");
        assertThat(Repo.applied()).as(file + " names a kind that is applied").extracting(Manifest::kind)
            .contains(String.valueOf(Trees.get(spec, "kind")));
      }
    }
  }

  @Test
  void no_applied_manifest_is_a_Secret() {
    assertThat(Repo.applied()).extracting(Manifest::kind).doesNotContain("Secret");
  }

  @Test
  void every_applied_object_lives_in_analytics_jobs_and_is_named_once_per_kind() {
    Set<String> seen = new HashSet<>();
    for (Manifest m : Repo.applied()) {
      if (m.kind().equals("Namespace")) {
        assertThat(m.name()).isEqualTo("analytics-jobs");
        assertThat(m.namespace()).as("a Namespace is cluster-scoped").isNull();
      } else {
        assertThat(m.namespace()).as(m.toString()).isEqualTo("analytics-jobs");
      }
      assertThat(seen.add(m.kind() + "/" + m.name())).as("duplicate " + m).isTrue();
    }
  }

  @Test
  void the_namespace_comes_first_in_the_apply_order() {
    assertThat(Repo.applied().get(0).kind()).isEqualTo("Namespace");
  }

  @Test
  void the_operators_own_model_classes_read_the_FlinkDeployment() {
    Manifest m = Repo.appliedOne("FlinkDeployment", "deep-storage-bronze");
    FlinkDeployment fd = Serialization.unmarshal(Yaml2Json.toJson(m.tree()).toString(), FlinkDeployment.class);
    assertThat(fd.getSpec().getFlinkVersion()).isEqualTo(FlinkVersion.v1_18);
    assertThat(fd.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
    assertThat(fd.getSpec().getPodTemplate().getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("flink-main-container");
  }
}
