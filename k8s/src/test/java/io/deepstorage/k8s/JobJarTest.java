package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The jar the Flink image runs holds the jobs (streaming bronze, replay, audit, compaction), not the harnesses that
 * watch them locally or in tests; the silver jar the Spark image runs holds silver and retention, not Spark.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JobJarTest {

  @Test
  void the_bronze_job_jar_holds_the_jobs_and_no_local_harness() throws Exception {
    List<String> entries;
    try (ZipFile zip = new ZipFile(jobJar().toFile())) {
      entries = zip.stream().map(e -> e.getName()).toList();
    }
    assertThat(entries).contains("io/deepstorage/bronze/BronzeJob.class", "io/deepstorage/cli/LakeEndpoint.class",
        "io/deepstorage/bronze/ReplayCommand.class", "io/deepstorage/bronze/AuditCommand.class",
        "io/deepstorage/bronze/CompactCommand.class");
    assertThat(entries).noneMatch(e -> e.startsWith("io/deepstorage/bronze/local/") || e.startsWith("io/deepstorage/embedded/")
        || e.contains("LocalRun") || e.startsWith("org/junit/"));
  }

  @Test
  void the_bronze_job_jar_carries_our_wal_position_locator_instead_of_debeziums() throws Exception {
    // FLINK-39265: Debezium 1.9.8's copy can lose the first change after a restore; ours replaces it in the jar.
    assertTheJarCarriesOurCopyOnly("io/debezium/connector/postgresql/connection/WalPositionLocator.class");
  }

  @Test
  void the_bronze_job_jar_carries_our_snapshot_fetch_context_instead_of_flink_cdcs() throws Exception {
    // Flink CDC's formatMessageTimestamp rebuilds and re-validates every snapshot record; ours keeps the envelope.
    assertTheJarCarriesOurCopyOnly("org/apache/flink/cdc/connectors/base/source/reader/external/JdbcSourceFetchTaskContext.class");
  }

  @Test
  void the_bronze_job_jar_carries_our_timestamptz_reader_instead_of_debeziums() throws Exception {
    // Ours reads PostgreSQL's usual timestamptz text by hand before Debezium's DateTimeFormatter.
    assertTheJarCarriesOurCopyOnly("io/debezium/connector/postgresql/connection/wal2json/DateTimeFormat.class");
    assertTheJarCarriesOurCopyOnly("io/debezium/connector/postgresql/connection/wal2json/DateTimeFormat$ISODateTimeFormat.class");
  }

  private static void assertTheJarCarriesOurCopyOnly(String entry) throws Exception {
    byte[] ours = Files.readAllBytes(Repo.ROOT.resolve("flink-bronze/target/classes").resolve(entry));
    try (ZipFile zip = new ZipFile(jobJar().toFile())) {
      assertThat(zip.stream().filter(e -> e.getName().equals(entry)).count()).isEqualTo(1);
      assertThat(zip.getInputStream(zip.getEntry(entry)).readAllBytes()).isEqualTo(ours);
    }
  }

  @Test
  void the_silver_job_jar_holds_silver_retention_and_the_lake_options_but_not_spark() throws Exception {
    List<String> entries;
    try (ZipFile zip = new ZipFile(JobJar.path("spark-silver").toFile())) {
      entries = zip.stream().map(e -> e.getName()).toList();
    }
    assertThat(entries).contains("io/deepstorage/silver/SilverJob.class", "io/deepstorage/silver/RetentionJob.class",
        "io/deepstorage/spark/LakeConfig.class", "io/deepstorage/cli/OptionSpec.class");
    // The image provides Spark (and the S3A jars): a copy in the job jar would shadow it.
    assertThat(entries).noneMatch(e -> e.startsWith("org/apache/spark/") || e.startsWith("org/junit/"));
  }

  private static Path jobJar() {
    return JobJar.path();
  }
}
