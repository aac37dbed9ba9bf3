package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/** What "caught up" and the bronze report promise, on the real job, PostgreSQL and S3 server. */
class BronzeCatchUpIT {

    @Test
    void onAnEmptyOutboxCatchingUpMeansStreamingSoRowsWrittenAfterwardsCarryTheirWalPosition() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_empty");
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            JobReport caughtUp = run.awaitCaughtUp(Duration.ofMinutes(3));
            assertThat(caughtUp.kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
            assertThat(caughtUp.rowsIn()).isZero();
            // Written right after CAUGHT_UP: must come through the replication stream, not a snapshot.
            try (Connection c = LakeServers.connect(settings)) {
                new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(60)
                        .withLateCommits(0).withRedeliveries(0).withStart(Instant.parse("2026-11-21T10:00:00Z"))).run();
            }
            run.awaitCaughtUp(Duration.ofMinutes(3));
            run.stopWithSavepoint();
        }
        List<GenericRecord> rows = rows(settings);
        assertThat(rows).hasSizeGreaterThanOrEqualTo(60);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.get("change_kind").toString()).isEqualTo("INSERT");
            assertThat(r.get("source_lsn")).isNotNull();
        });
    }

    @Test
    void theFinalReportCountsADeleteAndARedeliveryThatHappenedWhileTheJobStreamed() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_counts");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(30)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        JobReport summary;
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            run.awaitCaughtUp(Duration.ofMinutes(3));
            try (Connection c = LakeServers.connect(settings)) {
                // Bronze logs the delete, keeps what it has, and drops the second copy.
                OutboxTrafficGenerator.redeliverOne(c);
            }
            run.awaitCaughtUp(Duration.ofMinutes(3));
            summary = run.stopWithSavepoint();
            assertThat(run.outboxEventIds()).hasSize(30);
        }
        assertThat(summary.kind()).isEqualTo(JobReport.Kind.SUMMARY);
        assertThat(summary.count(BronzeLocalRun.DELETES)).isEqualTo(1);
        assertThat(summary.count(BronzeLocalRun.DUPLICATES_DROPPED)).isEqualTo(1);
        assertThat(summary.rowsIn()).isEqualTo(30);
        assertThat(summary.rowsOut()).isEqualTo(30);
        assertThat(summary.text(BronzeLocalRun.SAVEPOINT)).contains("/flink/savepoints/");
    }

    private static List<GenericRecord> rows(BronzeSettings settings) throws Exception {
        List<GenericRecord> rows = new ArrayList<>();
        CommittedParts parts = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        for (LakeLayout.Entry f : parts.files()) {
            CommittedParts.readRows(f, null, rows::add);
        }
        return rows;
    }
}
