package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BronzeSettingsTest {
    static final Map<String, String> ENV = Map.of("PG_DATABASE", "robson", "PG_USER", "cdc", "PG_PASSWORD", "s3cr3t-pg",
            "S3_BUCKET", "rbs", "AWS_ACCESS_KEY_ID", "AKIA-TEST", "AWS_SECRET_ACCESS_KEY", "very-secret-key");

    @Test
    void defaultsAndEnvironmentMakeAValidConfigurationAndArgumentsWin() {
        BronzeSettings s = BronzeSettings.parse(new String[] {"--checkpoint-interval", "5s", "--dedup-ttl=2d"}, ENV);
        assertThat(s.pgDatabase).isEqualTo("robson");
        assertThat(s.checkpointInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.dedupTtl).isEqualTo(Duration.ofDays(2));
        assertThat(s.checkpointDir).isEqualTo("s3://rbs/flink/checkpoints");
        assertThat(s.slotName).isEqualTo("deep_storage_bronze");
    }

    @Test
    void theSourceSendsItsOffsetEverySecondWhileIdleUnlessTheWalHeartbeatIsMoreFrequent() {
        assertThat(BronzeJob.offsetHeartbeat(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(1));
        assertThat(BronzeJob.offsetHeartbeat(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(BronzeJob.offsetHeartbeat(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aMissingRequiredSettingIsOneLineNamingIt() {
        assertThatThrownBy(() -> BronzeSettings.parse(new String[0], Map.of("PG_USER", "x", "S3_BUCKET", "b")))
                .isInstanceOf(io.deepstorage.cli.SettingException.class)
                .hasMessage("--pg-database (PG_DATABASE) is required");
    }

    @Test
    void aBadValueNamesTheSettingAndWhatIsExpected() {
        assertThatThrownBy(() -> BronzeSettings.parse(new String[] {"--checkpoint-interval", "soon"}, ENV))
                .hasMessage("--checkpoint-interval (BRONZE_CHECKPOINT_INTERVAL) 'soon' is not a duration like 500ms, 30s, 5m, 2h or 7d");
        assertThatThrownBy(() -> BronzeSettings.parse(new String[] {"--pg-port", "99999"}, ENV))
                .hasMessage("--pg-port (PG_PORT) must be between 1 and 65535, got 99999");
        assertThatThrownBy(() -> BronzeSettings.parse(new String[] {"--slot-name", "Bad-Slot"}, ENV))
                .hasMessageStartingWith("--slot-name (BRONZE_SLOT_NAME) must be a lower-case PostgreSQL identifier");
        assertThatThrownBy(() -> BronzeSettings.parse(new String[] {"--chekpoint-interval", "5s"}, ENV))
                .hasMessage("unknown option --chekpoint-interval (see --help)");
    }

    @Test
    void secretsNeverShowInTheSettingsText() {
        String text = BronzeSettings.parse(new String[0], ENV).toString();
        assertThat(text).doesNotContain("s3cr3t-pg").doesNotContain("very-secret-key").doesNotContain("AKIA-TEST");
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() {
        String help = BronzeSettings.help("BronzeJob");
        for (io.deepstorage.cli.OptionSpec o : BronzeSettings.OPTIONS) {
            assertThat(help).contains("--" + o.name()).contains("env " + o.envVar());
        }
    }
}
