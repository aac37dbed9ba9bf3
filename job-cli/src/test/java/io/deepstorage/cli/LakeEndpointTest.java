package io.deepstorage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeEndpointTest {
    static final Map<String, String> KEYS = Map.of("AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "SK");

    static LakeEndpoint endpoint(Map<String, String> env, String... args) {
        return LakeEndpoint.from(CommandLine.parse(args, env, LakeEndpoint.OPTIONS));
    }

    @Test
    void flinkAndHadoopGetTheSameS3aSettingsUnderTheirOwnPrefix() {
        LakeEndpoint e = endpoint(KEYS, "--s3-endpoint", "https://eu2.contabostorage.com/", "--bucket", "rbs");
        assertThat(e.hadoopSettings())
                .containsEntry("fs.s3a.endpoint", "https://eu2.contabostorage.com")
                .containsEntry("fs.s3a.path.style.access", "true")
                .containsEntry("fs.s3a.connection.ssl.enabled", "true")
                .containsEntry("fs.s3a.access.key", "AK")
                .containsEntry("fs.s3a.secret.key", "SK")
                .containsEntry("fs.s3a.directory.marker.retention", "keep");
        assertThat(e.flinkSettings()).hasSameSizeAs(e.hadoopSettings())
                .containsEntry("s3.endpoint", "https://eu2.contabostorage.com")
                .containsEntry("s3.access.key", "AK")
                .containsEntry("s3.directory.marker.retention", "keep");
        assertThat(endpoint(KEYS, "--s3-endpoint", "http://127.0.0.1:9000", "--path-style", "false").hadoopSettings())
                .containsEntry("fs.s3a.connection.ssl.enabled", "false")
                .containsEntry("fs.s3a.path.style.access", "false");
    }

    @Test
    void withoutAnEndpointTheClustersOwnConfigurationApplies() {
        LakeEndpoint e = endpoint(Map.of(), "--bucket", "rbs");
        assertThat(e.endpoint()).isEmpty();
        assertThat(e.flinkSettings()).isEmpty();
        assertThat(e.bucket()).contains("rbs");
    }

    @Test
    void anEndpointNeedsBothKeys(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> endpoint(Map.of("AWS_SECRET_ACCESS_KEY", "SK"), "--s3-endpoint", "http://h:1"))
                .isInstanceOf(SettingException.class)
                .hasMessage("AWS_ACCESS_KEY_ID (or --s3-access-key-file (S3_ACCESS_KEY_FILE)) is required with --s3-endpoint (S3_ENDPOINT)");
        Path empty = Files.writeString(dir.resolve("secret"), "");
        assertThatThrownBy(() -> endpoint(KEYS, "--s3-endpoint", "http://h:1", "--s3-secret-key-file", empty.toString()))
                .hasMessage("--s3-secret-key-file (S3_SECRET_KEY_FILE) points to an empty file: " + empty);
    }

    @Test
    void badEndpointsAndBucketsAreNamed() {
        assertThatThrownBy(() -> endpoint(KEYS, "--s3-endpoint", "s3://rbs"))
                .hasMessage("--s3-endpoint (S3_ENDPOINT) must be an http:// or https:// URL, got 's3://rbs'");
        assertThatThrownBy(() -> endpoint(KEYS, "--bucket", "Not_A_Bucket"))
                .hasMessage("--bucket (S3_BUCKET) must be a valid S3 bucket name, got 'Not_A_Bucket'");
    }

    @Test
    void theKeysNeverShowInItsText() {
        assertThat(endpoint(KEYS, "--s3-endpoint", "http://h:1").toString()).doesNotContain("AK", "SK");
    }
}
