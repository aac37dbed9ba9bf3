package io.deepstorage.spark;

import io.deepstorage.cli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LakeSparkSettingsTest {
    private static LakeConfig lake(String endpoint) {
        Map<String, String> env = Map.of("S3_ENDPOINT", endpoint, "S3_BUCKET", "rbs",
                "AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "SK");
        return LakeConfig.from(CommandLine.parse(new String[0], env, LakeConfig.OPTIONS));
    }

    @Test
    void an_https_endpoint_turns_ssl_on_and_uses_the_partitioned_committer() {
        Map<String, String> conf = LakeSpark.settings(lake("https://eu2.contabostorage.com"), "k8s://x");
        assertThat(conf)
                .containsEntry("spark.hadoop.fs.s3a.connection.ssl.enabled", "true")
                .containsEntry("spark.hadoop.fs.s3a.path.style.access", "true")
                .containsEntry("spark.hadoop.fs.s3a.committer.name", "partitioned")
                .containsEntry("spark.hadoop.fs.s3a.committer.staging.conflict-mode", "replace")
                .containsEntry("spark.hadoop.fs.s3a.directory.marker.retention", "keep")
                .containsEntry("spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol")
                .containsEntry("spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter")
                .containsEntry("spark.sql.session.timeZone", "UTC")
                .doesNotContainKey("spark.ui.enabled");
    }

    @Test
    void an_http_endpoint_turns_ssl_off_and_local_mode_turns_the_ui_off() {
        Map<String, String> conf = LakeSpark.settings(lake("http://127.0.0.1:9000"), "local[2]");
        assertThat(conf)
                .containsEntry("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                .containsEntry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000")
                .containsEntry("spark.ui.enabled", "false");
    }

    @Test
    void a_file_lake_keeps_the_default_committer_with_dynamic_partition_overwrite() {
        LakeConfig fileLake = LakeConfig.from(CommandLine.parse(new String[] {"--lake", "file:/tmp/l"}, Map.of(), LakeConfig.OPTIONS));
        Map<String, String> conf = LakeSpark.settings(fileLake, "local[*]");
        assertThat(conf).containsEntry("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .doesNotContainKey("spark.sql.sources.commitProtocolClass")
                .doesNotContainKey("spark.hadoop.fs.s3a.endpoint");
    }

    @Test
    void a_jobs_own_tuning_applies_unless_spark_submit_already_gives_the_setting() {
        Map<String, String> tuning = Map.of("spark.memory.fraction", "0.8", "spark.sql.shuffle.partitions", "4");
        assertThat(LakeSpark.jobSettings(tuning, key -> false)).isEqualTo(tuning);
        assertThat(LakeSpark.jobSettings(tuning, "spark.memory.fraction"::equals))
                .containsOnly(Map.entry("spark.sql.shuffle.partitions", "4"));
    }
}
