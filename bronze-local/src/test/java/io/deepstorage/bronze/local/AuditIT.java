package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/** The completeness audit finds a bronze object deleted by hand, and its repair restores exactly what was lost. */
class AuditIT {
    static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @Test
    void aBronzeObjectDeletedByHandIsFoundMissingAndTheRepairRestoresEachOfItsEventsOnce() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_audit");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(400).withStart(START)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            run.awaitCaughtUp(Duration.ofMinutes(3));
            run.stopWithSavepoint();
        }
        String[] audit = LakeServers.where(settings, "--from", "2026-11-19", "--to", "2026-11-22", "--horizon", "1s");
        JobReport complete = AuditCommand.run(audit, LakeServers.env(settings));
        assertThat(complete.count("missing")).isZero();
        assertThat(complete.count("outbox_rows")).isEqualTo(LakeServers.outboxIds(settings).size());

        CommittedParts bronze = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        LakeLayout.Entry lost = bronze.files().get(0);
        int lostEvents = bronze.eventIds(lost).size();
        new Path(lost.path()).getFileSystem().delete(new Path(lost.path()), false);

        JobReport gap = AuditCommand.run(audit, LakeServers.env(settings));
        System.out.println("audit after deleting " + lost.name() + " (" + lostEvents + " events): " + gap.line());
        assertThat(gap.count("missing")).isEqualTo(lostEvents).isPositive();
        assertThat(gap.text("missing_first")).isNotBlank();

        String[] repair = LakeServers.where(settings, "--from", "2026-11-19", "--to", "2026-11-22", "--horizon", "1s",
                "--repair");
        JobReport repaired = AuditCommand.run(repair, LakeServers.env(settings));
        System.out.println("audit --repair: " + repaired.line());
        assertThat(repaired.count("repaired")).isEqualTo(lostEvents);
        assertThat(repaired.count("missing")).isZero();
        List<String> ids = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).eventIds();
        assertThat(ids).as("each event once: the repair wrote only what was missing").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(LakeServers.outboxIds(settings));
    }
}
