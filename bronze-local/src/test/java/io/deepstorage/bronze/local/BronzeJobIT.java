package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/** The real bronze job on the embedded PostgreSQL and S3 server, in a Flink MiniCluster. */
class BronzeJobIT {

    @Test
    void everyOutboxEventLandsInCommittedParquetExactlyOnceAndMalformedRowsInTheDeadLetters() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake();
        // Rows already there are read by the initial snapshot ...
        new OutboxTrafficGenerator(() -> connect(settings), OutboxTrafficGenerator.Options.defaults(600)
                .withLateCommits(0).withRedeliveries(0)).run();

        JobReport summary;
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            run.awaitCaughtUp(Duration.ofMinutes(3)); // the snapshot is committed; from here on rows are streamed
            // ... and what the app writes next through the replication stream, with re-deliveries, a transaction
            // that commits after a later one, and malformed rows.
            var live = new OutboxTrafficGenerator(() -> connect(settings), OutboxTrafficGenerator.Options.defaults(900)
                    .withSeed(7).withFirstOperationId(100_000).withStart(Instant.parse("2026-11-21T23:50:00Z"))
                    .withRedeliveries(3).withLateCommits(2).withMalformed(2)).run();
            assertThat(live.redelivered()).isEqualTo(3);
            run.awaitCaughtUp(Duration.ofMinutes(4));
            summary = run.stopWithSavepoint();
        }

        Map<String, BigDecimal> outboxFill = new HashMap<>();
        Set<String> malformed = new HashSet<>();
        try (Connection c = connect(settings); ResultSet rs = c.createStatement().executeQuery(
                "SELECT event_id::text, fill_price, symbol FROM stop_events")) {
            while (rs.next()) {
                outboxFill.put(rs.getString(1), rs.getBigDecimal(2));
                if (rs.getString(3).isBlank()) {
                    malformed.add(rs.getString(1));
                }
            }
        }
        assertThat(malformed).hasSize(2);

        List<GenericRecord> bronze = new ArrayList<>();
        CommittedParts parts = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        for (LakeLayout.Entry f : parts.files()) {
            String folder = f.path().split("/")[f.path().split("/").length - 2];
            CommittedParts.readRows(f, null, r -> {
                bronze.add(r);
                Instant occurred = (Instant) r.get("occurred_at");
                assertThat(folder).isEqualTo("date=" + occurred.atOffset(ZoneOffset.UTC).toLocalDate());
            });
        }
        List<String> ids = bronze.stream().map(r -> r.get("event_id").toString()).toList();
        Set<String> expected = new HashSet<>(outboxFill.keySet());
        expected.removeAll(malformed);
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).isEqualTo(expected);
        for (GenericRecord r : bronze) {
            BigDecimal fill = (BigDecimal) r.get("fill_price");
            BigDecimal db = outboxFill.get(r.get("event_id").toString());
            assertThat(fill == null ? null : fill.stripTrailingZeros()).isEqualTo(db == null ? null : db.stripTrailingZeros());
        }
        assertThat(bronze).extracting(r -> r.get("change_kind").toString()).contains("SNAPSHOT", "INSERT");
        assertThat(bronze).filteredOn(r -> "INSERT".equals(r.get("change_kind").toString()))
                .allSatisfy(r -> assertThat(r.get("source_lsn")).isNotNull());
        assertThat(bronze).extracting(r -> r.get("event_type").toString()).contains("PARTIAL_FILL");

        List<GenericRecord> deadLetters = new ArrayList<>();
        for (LakeLayout.Entry f : new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_DEAD_LETTERS).files()) {
            CommittedParts.readRows(f, null, deadLetters::add);
        }
        assertThat(deadLetters).extracting(r -> r.get("event_id").toString()).containsExactlyInAnyOrderElementsOf(malformed);
        assertThat(deadLetters).allSatisfy(r -> {
            assertThat(r.get("reason").toString()).startsWith("occurred_at 1970-01-01T00:00:00Z is outside");
            assertThat(r.get("raw_row_json").toString()).contains("\"symbol\": \" \"");
        });

        assertThat(summary.count(BronzeLocalRun.DUPLICATES_DROPPED)).isEqualTo(3);
        assertThat(summary.count(BronzeLocalRun.DELETES)).isEqualTo(3);
        assertThat(summary.count(BronzeLocalRun.DEAD_LETTERS)).isEqualTo(2);
        assertThat(summary.rowsOut()).isEqualTo(expected.size());
    }

    @Test
    void afterAStopMidStreamTheJobResumesFromItsLastCheckpointWithNothingLostOrDoubled() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_restart");
        new OutboxTrafficGenerator(() -> connect(settings), OutboxTrafficGenerator.Options.defaults(400)).run();
        CommittedParts committed = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        int inFlight;
        try (BronzeLocalRun first = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            first.awaitCaughtUp(Duration.ofMinutes(3));
            // Traffic keeps coming while the job goes down: the job is cancelled once part of it is committed and
            // the rest is still being written, so some of it is in flight, uncommitted, at the stop.
            int before = committed.eventIds().size();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int batch = 0; !stop.get(); batch++) {
                    generate(settings, 60, 100_000 + 1_000L * batch);
                }
            });
            writer.start();
            while (committed.eventIds().size() == before) {
                Thread.sleep(100);
            }
            first.job().cancel().get();
            stop.set(true);
            writer.join();
            inFlight = first.outboxEventIds().size() - committed.eventIds().size();
        }
        assertThat(inFlight).as("outbox events not committed at the cancel").isPositive();
        generate(settings, 300, 40_000); // written while no job runs

        String checkpoint = BronzeLocalRun.latestRetainedState(settings).orElseThrow();
        JobReport summary;
        Set<String> outbox;
        try (BronzeLocalRun second = BronzeLocalRun.start(settings, LakeServers.flinkConf(), java.util.Optional.of(checkpoint))) {
            second.awaitCaughtUp(Duration.ofMinutes(3));
            summary = second.stopWithSavepoint();
            outbox = second.outboxEventIds();
        }

        List<String> bronze = committed.eventIds();
        assertThat(bronze).doesNotHaveDuplicates();
        assertThat(new HashSet<>(bronze)).isEqualTo(outbox);
        assertThat(summary.rowsOut()).isEqualTo(outbox.size());
    }

    private static void generate(BronzeSettings settings, int events, long firstOperationId) {
        try {
            new OutboxTrafficGenerator(() -> connect(settings), OutboxTrafficGenerator.Options.defaults(events)
                    .withSeed(firstOperationId).withFirstOperationId(firstOperationId).withLateCommits(0).withRedeliveries(0)).run();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect(BronzeSettings s) {
        try {
            return LakeServers.connect(s);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
