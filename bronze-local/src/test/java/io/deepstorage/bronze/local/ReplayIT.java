package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.ReplayCommand;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/** A replay from a point, read from the outbox table itself, while the streaming job keeps running. */
class ReplayIT {
    static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @Test
    void aReplayFromAPointWhileBronzeStreamsWritesExactlyTheRowsFromThatPointAgainWithTheirTransactionIds() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_replay");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(600).withStart(START)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        Instant from = midpoint(settings);
        Set<String> fromThePoint = idsAtOrAfter(settings, from);
        JobReport replayed;
        try (BronzeLocalRun streaming = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            streaming.awaitCaughtUp(Duration.ofMinutes(3));
            replayed = ReplayCommand.run(LakeServers.replay(settings, "--from", from.toString()),
                    LakeServers.flinkConf(), Optional.empty());
            // The streaming job went on meanwhile.
            try (Connection c = LakeServers.connect(settings)) {
                new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(60).withSeed(7)
                        .withFirstOperationId(90_000).withStart(START.plusSeconds(86_400)).withLateCommits(0)
                        .withRedeliveries(0)).run();
            }
            streaming.awaitCaughtUp(Duration.ofMinutes(3));
            streaming.stopWithSavepoint();
        }
        System.out.println("replay from " + from + ": " + replayed.line());
        assertThat(fromThePoint).hasSizeBetween(100, 500);
        assertThat(replayed.rowsIn()).isEqualTo(fromThePoint.size());
        assertThat(replayed.rowsOut()).isEqualTo(fromThePoint.size());
        assertThat(replayed.filesWritten()).isPositive();

        Map<String, List<GenericRecord>> copies = new HashMap<>();
        for (LakeLayout.Entry part : new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).files()) {
            CommittedParts.readRows(part, null, r -> copies.computeIfAbsent(r.get("event_id").toString(),
                    k -> new ArrayList<>()).add(r));
        }
        Set<String> outbox = LakeServers.outboxIds(settings);
        assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(outbox);
        Set<String> replayedIds = new HashSet<>();
        copies.forEach((id, rows) -> rows.stream().filter(r -> "REPLAY".equals(r.get("change_kind").toString()))
                .forEach(r -> {
                    replayedIds.add(id);
                    assertThat(r.get("source_tx_id")).as("the inserting transaction id").isNotNull();
                    assertThat(r.get("ingest_run_id").toString()).isEqualTo(replayed.text("run_id"));
                }));
        assertThat(replayedIds).containsExactlyInAnyOrderElementsOf(fromThePoint);
        copies.forEach((id, rows) -> assertThat(rows).as(id).hasSize(fromThePoint.contains(id) ? 2 : 1));
    }

    private static Instant midpoint(BronzeSettings s) throws Exception {
        try (Connection c = LakeServers.connect(s); ResultSet rs = c.createStatement().executeQuery(
                "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY occurred_at) FROM stop_events")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static Set<String> idsAtOrAfter(BronzeSettings s, Instant from) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = LakeServers.connect(s); var ps = c.prepareStatement(
                "SELECT event_id::text FROM stop_events WHERE occurred_at >= ?")) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }
}
