package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The runbook and deploy guide name only things that exist, so an operator following them does not get lost. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DocsTest {

  static final List<Path> DOCS = List.of(Repo.ROOT.resolve("docs/operations.md"), Repo.ROOT.resolve("docs/deploy.md"),
      Repo.K8S.resolve("README.md"));

  static Set<String> matches(String regex) {
    Set<String> out = new HashSet<>();
    for (Path doc : DOCS) {
      Matcher m = Pattern.compile(regex).matcher(Repo.read(doc));
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  static Set<String> names(String kind) {
    Set<String> out = new HashSet<>();
    Manifest.ofKind(Repo.applied(), kind).forEach(m -> out.add(m.name()));
    return out;
  }

  @Test
  void the_docs_name_only_cronjobs_flinkdeployments_and_configmaps_that_are_applied() {
    assertThat(matches("cronjob[/ ](deep-storage-[a-z0-9-]+)")).isNotEmpty().isSubsetOf(names("CronJob"));
    assertThat(matches("flinkdep (deep-storage-[a-z0-9-]+)")).isNotEmpty().isSubsetOf(names("FlinkDeployment"));
    assertThat(matches("`(deep-storage-[a-z]+-config)`")).isNotEmpty().isSubsetOf(names("ConfigMap"));
  }

  @Test
  void the_docs_create_exactly_the_secrets_the_workloads_reference() {
    Set<String> templates = new HashSet<>();
    Repo.secretTemplates().forEach(t -> templates.add(t.name()));
    assertThat(matches("create secret (?:generic|docker-registry) ([a-z0-9-]+)"))
        .containsExactlyInAnyOrderElementsOf(templates);
  }

  @Test
  void the_docs_refer_only_to_files_that_exist() {
    Set<String> paths = matches("(k8s/[A-Za-z0-9_./-]+\\.(?:yaml|md)|k8s/images/[a-z-]+)");
    assertThat(paths).isNotEmpty();
    for (String p : paths) {
      assertThat(Repo.ROOT.resolve(p.replace("*", ""))).as(p).exists();
    }
  }

  @Test
  void the_runbook_covers_every_procedure_an_operator_needs() {
    String ops = Repo.read(Repo.ROOT.resolve("docs/operations.md"));
    assertThat(ops).contains("CREATE PUBLICATION deep_storage_bronze FOR TABLE stop_events",
        "REPLICATION", "savepointTriggerNonce", "savepointRedeployNonce", "initialSavepointPath",
        "pg_drop_replication_slot", "--startup", "create job --from=cronjob/", "confirmed_flush_lsn",
        "max_slot_wal_keep_size", "tolerable-failed-checkpoints", "restartNonce", "--from-literal",
        "kubectl create -f k8s/jobs/replay.yaml", "REPLAY_RESUME", "SUMMARY", "AUDIT_REPAIR", "honor_labels",
        "COMPACT_DATE", "RETENTION_DRY_RUN", "retention --dry-run");
  }

  @Test
  void the_docs_name_the_replay_job_and_the_audit_as_the_manifests_do() {
    assertThat(matches("(deep-storage-replay-)")).isNotEmpty()
        .containsOnly(String.valueOf(Trees.get(Workloads.replay().tree(), "metadata.generateName")));
    assertThat(matches("cronjob[/ ](deep-storage-[a-z0-9-]+)")).contains(Workloads.audit().name(),
        Workloads.compact().name(), Workloads.retention().name());
    assertThat(matches("(k8s/jobs/[a-z0-9-]+\\.yaml)")).isNotEmpty();
  }
}
