package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.SettingException;

class AuditCommandTest {

    @Test
    void aDailyCronJobSaysYesterdayAndTheAuditTakesTheUtcDateBeforeToday() {
        LocalDate[] dates = AuditCommand.dates(CommandLine.parse(new String[0], Map.of("AUDIT_FROM", "yesterday"),
                AuditCommand.OPTIONS));
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        assertThat(dates).containsExactly(yesterday, yesterday);
    }

    @Test
    void aDateThatIsNoneOfTheFormsIsABadSettingNamingTheOption() {
        assertThatThrownBy(() -> AuditCommand.dates(CommandLine.parse(new String[] {"--from", "last week"}, Map.of(),
                AuditCommand.OPTIONS)))
                .isInstanceOf(SettingException.class).hasMessageContaining("--from").hasMessageContaining("yesterday");
    }

    @Test
    void theMetricsCarryTheDatesAndEachCountAsAGauge() {
        JobReport report = JobReport.start("audit").put("missing", 3L).put("unexpected", 1L).put("outbox_rows", 400L)
                .summary();
        String text = AuditCommand.metrics(report, LocalDate.parse("2026-11-30"), LocalDate.parse("2026-11-30"),
                Instant.parse("2026-12-01T02:30:00Z"));
        assertThat(text).contains("# TYPE deep_storage_audit_missing_events gauge\n")
                .contains("deep_storage_audit_missing_events{from=\"2026-11-30\",to=\"2026-11-30\"} 3\n")
                .contains("deep_storage_audit_unexpected_events{from=\"2026-11-30\",to=\"2026-11-30\"} 1\n")
                .contains("deep_storage_audit_outbox_rows{from=\"2026-11-30\",to=\"2026-11-30\"} 400\n")
                .contains("deep_storage_audit_last_run_timestamp_seconds 1796092200\n");
    }
}
