package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.CompactCommand;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/**
 * Compaction of a closed bronze date while the streaming job writes the next one: the same rows, compared row by
 * row, in one part instead of many; a reader listing the date all along never finds a row missing.
 */
class CompactionIT {
    static final LocalDate CLOSED = LocalDate.parse("2026-11-20");

    @Test
    void aDateOfManySmallPartsIsRewrittenIntoOneWithTheSameRowsWhileBronzeKeepsWriting() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_compact");
        String dateDir = settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS + "/date=" + CLOSED;
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            // Eight rounds, each committed on its own: many small parts for the closed date.
            for (int round = 1; round <= 8; round++) {
                write(settings, round, CLOSED.atStartOfDay().toInstant(java.time.ZoneOffset.UTC).plusSeconds(3600L * round), 30);
                run.awaitCaughtUp(Duration.ofMinutes(2));
            }
            List<LakeLayout.Entry> before = new CommittedParts(dateDir).files();
            List<String> rowsBefore = rows(dateDir);
            Set<String> idsBefore = new HashSet<>(new CommittedParts(dateDir).eventIds());
            assertThat(before).hasSizeGreaterThan(5);

            // While compacting: the app writes the next day, and a reader keeps listing and reading the closed one.
            AtomicBoolean compacting = new AtomicBoolean(true);
            AtomicInteger scans = new AtomicInteger();
            List<Integer> missingSeen = new ArrayList<>();
            Thread reader = new Thread(() -> {
                while (compacting.get()) {
                    try {
                        Set<String> seen = new HashSet<>(new CommittedParts(dateDir).eventIds());
                        Set<String> missing = new HashSet<>(idsBefore);
                        missing.removeAll(seen);
                        synchronized (missingSeen) {
                            missingSeen.add(missing.size());
                        }
                        scans.incrementAndGet();
                    } catch (Exception fileGoneBetweenListingAndReading) {
                        // a real reader retries its task; a scan that could not finish proves nothing either way
                    }
                }
            }, "reader");
            Thread app = new Thread(() -> {
                try {
                    for (int round = 20; round < 24; round++) {
                        write(settings, round, Instant.parse("2026-11-21T09:00:00Z").plusSeconds(600L * round), 30);
                        Thread.sleep(300);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "app");
            reader.start();
            app.start();
            JobReport compacted = CompactCommand.run(new CompactCommand.Settings(settings.lakeUri(), CLOSED, 128L << 20),
                    LocalDate.parse("2026-12-01"));
            app.join();
            compacting.set(false);
            reader.join();
            System.out.println("compaction: " + compacted.line() + "; reader scans during it: " + scans.get());

            assertThat(compacted.count("files_before")).isEqualTo(before.size());
            assertThat(compacted.count("files_after")).isEqualTo(1);
            assertThat(new CommittedParts(dateDir).files()).hasSize(1)
                    .allMatch(f -> f.name().startsWith("part-compacted-"));
            assertThat(rows(dateDir)).as("the same rows, row by row").isEqualTo(rowsBefore);
            assertThat(scans.get()).isPositive();
            assertThat(missingSeen).as("rows missing in any scan during the swap").containsOnly(0);

            // Bronze kept writing: the next day's events are all there, once.
            JobReport caughtUp = run.awaitCaughtUp(Duration.ofMinutes(2));
            assertThat(caughtUp.count("distinct_events")).isEqualTo(LakeServers.outboxIds(settings).size());
            run.stopWithSavepoint();
        }
    }

    private static void write(BronzeSettings settings, int round, Instant start, int events) throws Exception {
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(events).withSeed(round)
                    .withFirstOperationId(round * 1000L).withStart(start).withLateCommits(0).withRedeliveries(0)).run();
        }
    }

    /** Every row of the folder in full, sorted: a row-by-row comparison of the date before and after. */
    private static List<String> rows(String dir) throws Exception {
        List<String> rows = new ArrayList<>();
        for (LakeLayout.Entry part : new CommittedParts(dir).files()) {
            CommittedParts.readRows(part, null, r -> rows.add(r.toString()));
        }
        rows.sort(null);
        return rows;
    }
}
