package io.deepstorage.spark;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeConfigTest {
    private static final Map<String, String> S3_ENV = Map.of(
            "S3_ENDPOINT", "https://eu2.contabostorage.com", "S3_BUCKET", "rbs",
            "AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "SK");

    private static LakeConfig parse(Map<String, String> env, String... args) {
        return LakeConfig.from(CommandLine.parse(args, env, LakeConfig.OPTIONS));
    }

    @Test
    void the_lake_defaults_to_the_bucket_over_s3a_with_path_style() {
        LakeConfig config = parse(S3_ENV);
        assertThat(config.lakeUri()).isEqualTo("s3a://rbs");
        assertThat(config.isS3()).isTrue();
        assertThat(config.endpoint().pathStyle()).isTrue();
        assertThat(config.master()).isEqualTo("local[*]");
        assertThat(config.resolve("bronze/events")).isEqualTo("s3a://rbs/bronze/events");
    }

    @Test
    void an_argument_overrides_its_environment_variable() {
        LakeConfig config = parse(S3_ENV, "--s3-endpoint", "http://127.0.0.1:9000", "--path-style=false", "--lake", "s3a://other/prefix/");
        assertThat(config.endpoint().endpoint()).hasValue("http://127.0.0.1:9000");
        assertThat(config.endpoint().pathStyle()).isFalse();
        assertThat(config.lakeUri()).isEqualTo("s3a://other/prefix");
    }

    @Test
    void a_missing_endpoint_is_named_in_a_one_line_message() {
        Map<String, String> env = new HashMap<>(S3_ENV);
        env.remove("S3_ENDPOINT");
        assertThatThrownBy(() -> parse(env))
                .isInstanceOf(SettingException.class)
                .hasMessage("--s3-endpoint (S3_ENDPOINT) is required");
    }

    @Test
    void a_missing_bucket_without_a_lake_is_refused() {
        assertThatThrownBy(() -> parse(Map.of()))
                .isInstanceOf(SettingException.class)
                .hasMessageStartingWith("--bucket (S3_BUCKET) is required");
    }

    @Test
    void missing_credentials_name_the_environment_variable() {
        Map<String, String> env = new HashMap<>(S3_ENV);
        env.remove("AWS_SECRET_ACCESS_KEY");
        assertThatThrownBy(() -> parse(env)).hasMessageStartingWith("AWS_SECRET_ACCESS_KEY (or --s3-secret-key-file");
    }

    @Test
    void credentials_can_come_from_mounted_files(@TempDir Path dir) throws Exception {
        Path access = Files.writeString(dir.resolve("access"), "file-ak\n");
        Path secret = Files.writeString(dir.resolve("secret"), "file-sk\n");
        Map<String, String> env = Map.of("S3_ENDPOINT", "http://h:1", "S3_BUCKET", "bkt");
        LakeConfig config = parse(env, "--s3-access-key-file", access.toString(), "--s3-secret-key-file", secret.toString());
        assertThat(config.hadoopSettings()).containsEntry("fs.s3a.access.key", "file-ak").containsEntry("fs.s3a.secret.key", "file-sk");
    }

    @Test
    void credentials_are_not_accepted_as_arguments() {
        assertThatThrownBy(() -> parse(S3_ENV, "--aws-secret-access-key", "x"))
                .hasMessage("unknown option --aws-secret-access-key (see --help)");
    }

    @Test
    void the_description_never_shows_the_keys() {
        assertThat(parse(S3_ENV).toString()).doesNotContain("AK").doesNotContain("SK").contains("eu2.contabostorage.com");
    }

    @Test
    void a_file_lake_needs_no_s3_settings() {
        LakeConfig config = parse(Map.of(), "--lake", "file:/tmp/lake");
        assertThat(config.isS3()).isFalse();
        assertThat(config.resolve("silver")).isEqualTo("file:/tmp/lake/silver");
        assertThat(config.hadoopSettings()).isEmpty();
    }

    @Test
    void an_unsupported_lake_scheme_is_refused() {
        assertThatThrownBy(() -> parse(S3_ENV, "--lake", "hdfs://nn/lake"))
                .hasMessage("--lake (LAKE_URI) must be an s3a:// or file: URI, got 'hdfs://nn/lake'");
    }

    @Test
    void an_endpoint_without_http_scheme_is_refused() {
        assertThatThrownBy(() -> parse(S3_ENV, "--s3-endpoint", "eu2.contabostorage.com"))
                .hasMessageStartingWith("--s3-endpoint (S3_ENDPOINT) must be an http:// or https:// URL");
    }

    @Test
    void a_path_style_that_is_not_a_boolean_is_refused() {
        assertThatThrownBy(() -> parse(S3_ENV, "--path-style", "maybe"))
                .hasMessage("--path-style (S3_PATH_STYLE) must be true or false, got 'maybe'");
    }

    @Test
    void help_lists_every_option_with_its_environment_variable_and_default() {
        String help = CommandLine.helpText("silver", "does things", LakeConfig.OPTIONS);
        for (OptionSpec option : LakeConfig.OPTIONS) {
            assertThat(help).contains("--" + option.name()).contains(option.envVar());
        }
        assertThat(help).contains("default local[*]").contains("default true");
    }
}
