package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/**
 * The upgrade path: stop with a savepoint, the app writes while no job runs, start again from the savepoint.
 * FLINK-39265: Debezium 1.9.8 resumes at the stored commit position; with pgoutput the next transaction's BEGIN
 * and first change sit at that very position, and its WAL position search filtered that first change out.
 */
class SavepointResumeIT {
    /** Rounds at risk to see; a round is not at risk when something wrote WAL after the stored position. */
    private static final int AT_RISK_ROUNDS = 3;
    /** A bound, not a target: the loop ends once it has seen AT_RISK_ROUNDS. */
    private static final int MAX_ROUNDS = 20;

    @Test
    void everyChangeWrittenWhileNoJobRanArrivesOnceAfterAResumeFromTheSavepoint() throws Exception {
        // The slot guard's heartbeat is WAL: one written between the slot's confirming the end of the WAL and the end of
        // the stop keeps the app's next change off the stored position. Rarely, at 10 s against a stop of about 0.2 s.
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_resume",
                "--heartbeat-interval", "10s");
        Optional<String> savepoint = Optional.empty();
        int written = 0;
        int atRisk = 0;
        int round = 0;
        for (; ; round++) {
            try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf(), savepoint)) {
                awaitCaughtUpOrReportLoss(run, settings);
                // The upgrade comes in a quiet moment, once the slot has confirmed all the WAL there is: the
                // savepoint then stores the end of the WAL, where the app's next change will start.
                awaitConfirmedToTheEnd(settings, Duration.ofSeconds(30));
                savepoint = Optional.of(run.stopWithSavepoint().text(BronzeLocalRun.SAVEPOINT));
            }
            if (atRisk == AT_RISK_ROUNDS || round == MAX_ROUNDS) {
                break;
            }
            try (Connection c = LakeServers.connect(settings)) {
                // At risk: nothing was written after the position the savepoint confirmed, so the app's first
                // change lands exactly at it.
                if (nothingWrittenSinceTheConfirmedPosition(c, settings.slotName)) {
                    atRisk++;
                }
                written += new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(3)
                        .withSeed(round).withFirstOperationId(1_000L * (round + 1)).withLateCommits(0).withRedeliveries(0)
                        .withStart(Instant.parse("2026-11-30T09:00:00Z"))).run().events();
            }
        }

        Map<String, Integer> copies = copiesByEventId(settings);
        Set<String> outbox = LakeServers.outboxIds(settings);
        long lost = outbox.stream().filter(id -> !copies.containsKey(id)).count();
        long doubled = copies.values().stream().filter(n -> n > 1).count();
        System.out.printf("savepoint resume: %d rounds (%d at risk), events written %d, found once %d, lost %d, doubled %d%n",
                round, atRisk, written, copies.values().stream().filter(n -> n == 1).count(), lost, doubled);
        assertThat(atRisk).as("rounds whose first change sat at the resume position (else this test shows nothing)")
                .isEqualTo(AT_RISK_ROUNDS);
        assertThat(lost).as("events lost").isZero();
        assertThat(doubled).as("events doubled").isZero();
        assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(outbox);
    }

    private static void awaitCaughtUpOrReportLoss(BronzeLocalRun run, BronzeSettings settings) throws Exception {
        try {
            run.awaitCaughtUp(Duration.ofSeconds(90));
        } catch (IllegalStateException e) {
            Set<String> missing = LakeServers.outboxIds(settings);
            missing.removeAll(copiesByEventId(settings).keySet());
            throw new AssertionError("bronze lost " + missing.size() + " events across a savepoint resume: "
                    + describe(settings, missing), e);
        }
    }

    /**
     * Waits until the slot has confirmed every WAL record written (the guard's heartbeat message included), or gives up
     * after {@code timeout}: that round is then not at risk.
     */
    private static void awaitConfirmedToTheEnd(BronzeSettings settings, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = LakeServers.connect(settings)) {
            while (!nothingWrittenSinceTheConfirmedPosition(c, settings.slotName) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    private static boolean nothingWrittenSinceTheConfirmedPosition(Connection c, String slot) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn = pg_current_wal_insert_lsn()"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static Map<String, Integer> copiesByEventId(BronzeSettings settings) throws Exception {
        Map<String, Integer> copies = new HashMap<>();
        for (String id : new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).eventIds()) {
            copies.merge(id, 1, Integer::sum);
        }
        return copies;
    }


    private static String describe(BronzeSettings settings, Set<String> eventIds) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = LakeServers.connect(settings);
             PreparedStatement ps = c.prepareStatement("SELECT event_type, operation_id, xmin::text FROM stop_events"
                     + " WHERE event_id = ?::uuid")) {
            for (String id : eventIds) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        b.append(String.format("%n  %s %s of operation %d (xmin %s)", id, rs.getString(1), rs.getLong(2),
                                rs.getString(3)));
                    }
                }
            }
        }
        return b.toString();
    }
}
