package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.parquet.avro.AvroParquetWriter;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.InProcessFlink;
import io.deepstorage.bronze.BronzeJob;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.bronze.BronzeSinks;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;

/**
 * Savepoint upgrades as the operator runs them (stop with a savepoint, start the changed job from it) while the app
 * keeps writing: each changed job finds exactly once across the upgrade, a change that cannot map state is refused,
 * and a rollback to the savepoint taken before the upgrades loses nothing.
 */
class SavepointUpgradeIT {
    /** The column the upgraded job adds to bronze: nullable, default null, so older files read with it as null. */
    static final String NEW_COLUMN = "upgrade_note";
    static final String DEDUP_UID = "drop-duplicate-events";

    @Test
    void upgradesToChangedJobsUnderLiveTrafficLoseAndDoubleNothingAndARollbackLosesNothing() throws Exception {
        BronzeSettings v1 = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_upgrade", "--parallelism", "2");
        BronzeSettings v2 = LakeServers.sameOutboxAndLake(v1, "--parallelism", "1", "--checkpoint-interval", "3s");
        String lake = v1.lakeUri();
        List<String> figures = new ArrayList<>();

        String beforeUpgrades;
        String afterUpgrades;
        try (LiveTraffic traffic = LiveTraffic.start(v1, 1)) {
            beforeUpgrades = untilMoreCommitted(v1, BronzeJob.fromSettings(v1), Optional.empty(), 300, traffic);
            figures.add(counts("v1, parallelism 2, checkpoints 1 s → savepoint", v1, traffic.events()));

            // v2: parallelism 1, checkpoints every 3 s, one more stateless operator, one more nullable bronze column.
            BronzeJob changed = BronzeJob.fromSettings(v2)
                    .withStepBeforeSink("added-stateless-step", e -> e)
                    .withEventsSink(BronzeSinks.events(lake, new WithNewColumn()));
            String upgraded = untilMoreCommitted(v2, changed, Optional.of(beforeUpgrades), 300, traffic);
            figures.add(counts("v2, parallelism 1, checkpoints 3 s, +operator, +column", v1, traffic.events()));

            // Back to parallelism 2 and the job as shipped; the app stops writing, and bronze catches up.
            try (BronzeLocalRun run = BronzeLocalRun.start(v1, BronzeJob.fromSettings(v1), LakeServers.flinkConf(),
                    Optional.of(upgraded))) {
                awaitMoreCommitted(run, v1, 300, traffic);
                traffic.close();
                run.awaitCaughtUp(Duration.ofMinutes(3));
                afterUpgrades = run.stopWithSavepoint().text(BronzeLocalRun.SAVEPOINT);
            }
            figures.add(counts("v1 again, parallelism 2, caught up", v1, traffic.events()));
        }
        Copies upgrades = Copies.of(v1);
        assertThat(upgrades.lost).as("lost across the upgrades").isZero();
        assertThat(upgrades.doubled).as("doubled across the upgrades").isZero();

        // Files written before and after the column was added read together with the new schema.
        Map<Boolean, Integer> rowsByNote = rowsByWhetherTheNewColumnIsSet(lake);
        assertThat(rowsByNote.get(true)).as("rows the upgraded job wrote with the new column").isPositive();
        assertThat(rowsByNote.get(false)).as("rows of files without the column, read as null").isPositive();

        // A stateful operator whose uid changed: refused, unless state may be left behind.
        Throwable refused = catchThrowable(() -> runWithDedupUid(v1, afterUpgrades, "drop-duplicate-events-v3", false));
        assertThat(stackTrace(refused)).contains("Cannot map checkpoint/savepoint state for operator")
                .contains("allowNonRestoredState");
        assertThat(catchThrowable(() -> runWithDedupUid(v1, afterUpgrades, "drop-duplicate-events-v3", true)))
                .as("with allowNonRestoredState the changed job starts").isNull();

        // Rollback: the job as shipped from the savepoint taken before the upgrades, the app writing again.
        int writtenBeforeRollback = upgrades.outbox;
        try (LiveTraffic traffic = LiveTraffic.start(v1, 2);
             BronzeLocalRun run = BronzeLocalRun.start(v1, BronzeJob.fromSettings(v1), LakeServers.flinkConf(),
                     Optional.of(beforeUpgrades))) {
            awaitMoreCommitted(run, v1, 300, traffic);
            traffic.close();
            run.awaitCaughtUp(Duration.ofMinutes(3));
            run.stopWithSavepoint();
            figures.add(counts("rollback to the savepoint before the upgrades", v1,
                    writtenBeforeRollback + traffic.events()));
        }
        Copies rollback = Copies.of(v1);
        figures.forEach(System.out::println);
        assertThat(rollback.lost).as("lost across the rollback").isZero();
        // PostgreSQL 15+ starts the slot at its confirmed position, so the rollback re-reads nothing; should a copy be
        // written twice, it must be the same event, which silver counts once (OperationFoldTest).
        assertThat(rollback.differingCopies).as("event_ids whose copies differ").isEmpty();
    }

    /** Runs {@code job} from {@code from} until {@code more} events more are committed; returns its savepoint. */
    private static String untilMoreCommitted(BronzeSettings s, BronzeJob job, Optional<String> from, int more,
                                             LiveTraffic traffic) throws Exception {
        try (BronzeLocalRun run = BronzeLocalRun.start(s, job, LakeServers.flinkConf(), from)) {
            awaitMoreCommitted(run, s, more, traffic);
            return run.stopWithSavepoint().text(BronzeLocalRun.SAVEPOINT);
        }
    }

    private static void awaitMoreCommitted(BronzeLocalRun run, BronzeSettings s, int more, LiveTraffic traffic)
            throws Exception {
        int target = committedIds(s).size() + more;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (committedIds(s).size() < target) {
            traffic.check();
            JobStatus status = run.job().getJobStatus().get(30, TimeUnit.SECONDS);
            assertThat(status.isGloballyTerminalState()).as("the job ended: %s", status).isFalse();
            assertThat(System.nanoTime()).as("%d events committed within 3 minutes", target).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** The job as shipped with the dedup operator's uid changed, from {@code savepoint}; stopped once it runs. */
    private static void runWithDedupUid(BronzeSettings s, String savepoint, String uid, boolean allowNonRestoredState)
            throws Exception {
        Configuration conf = new Configuration(LakeServers.flinkConf());
        conf.setString("execution.savepoint.ignore-unclaimed-state", String.valueOf(allowNonRestoredState));
        StreamExecutionEnvironment env = InProcessFlink.environment(conf, Optional.of(savepoint));
        BronzeJob.fromSettings(s).attachTo(env);
        long renamed = env.getTransformations().stream().filter(t -> DEDUP_UID.equals(t.getUid()))
                .peek(t -> t.setUid(uid)).count();
        assertThat(renamed).isEqualTo(1);
        JobClient job = env.executeAsync();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (true) {
                JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
                if (status == JobStatus.RUNNING) {
                    return;
                }
                if (status.isGloballyTerminalState()) {
                    job.getJobExecutionResult().get(30, TimeUnit.SECONDS); // throws the job's failure
                    throw new AssertionError("the job ended " + status);
                }
                assertThat(System.nanoTime()).as("the job runs within 2 minutes").isLessThan(deadline);
                Thread.sleep(200);
            }
        } finally {
            if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static Map<Boolean, Integer> rowsByWhetherTheNewColumnIsSet(String lake) throws IOException {
        Map<Boolean, Integer> rows = new HashMap<>(Map.of(true, 0, false, 0));
        for (LakeLayout.Entry part : new CommittedParts(lake + "/" + LakeLayout.BRONZE_EVENTS).files()) {
            CommittedParts.readRowsAs(part, WithNewColumn.schema(),
                    r -> rows.merge(r.get(NEW_COLUMN) != null, 1, Integer::sum));
        }
        return rows;
    }

    private static String counts(String phase, BronzeSettings s, int written) throws Exception {
        Copies c = Copies.of(s);
        return String.format("savepoint upgrade: %-52s written %5d, committed %5d, found once %5d, doubled %d, not (yet) in bronze %d",
                phase, written, c.rows, c.once, c.doubled, c.lost);
    }

    private static Set<String> committedIds(BronzeSettings s) throws IOException {
        return new HashSet<>(new CommittedParts(s.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).eventIds());
    }

    private static String stackTrace(Throwable t) {
        assertThat(t).as("the changed job was refused").isNotNull();
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** Committed bronze against the outbox: each event_id's copies, and copies of one event that differ. */
    private record Copies(int outbox, int rows, long once, long doubled, long lost, List<String> differingCopies) {
        static Copies of(BronzeSettings s) throws Exception {
            Map<String, List<String>> contents = new HashMap<>();
            for (LakeLayout.Entry part : new CommittedParts(s.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).files()) {
                CommittedParts.readRows(part, null, r -> contents
                        .computeIfAbsent(r.get("event_id").toString(), k -> new ArrayList<>()).add(content(r)));
            }
            Set<String> outbox = LakeServers.outboxIds(s);
            int rows = contents.values().stream().mapToInt(List::size).sum();
            return new Copies(outbox.size(), rows, contents.values().stream().filter(v -> v.size() == 1).count(),
                    contents.values().stream().filter(v -> v.size() > 1).count(),
                    outbox.stream().filter(id -> !contents.containsKey(id)).count(),
                    contents.entrySet().stream().filter(e -> new HashSet<>(e.getValue()).size() > 1).map(Map.Entry::getKey)
                            .toList());
        }

        /** What the outbox row says; not when or by which run bronze wrote it. */
        private static String content(GenericRecord r) {
            StringBuilder b = new StringBuilder();
            for (Schema.Field f : BronzeEvent.getClassSchema().getFields()) {
                if (!f.name().startsWith("ingest") && !f.name().startsWith("source_")) {
                    b.append(f.name()).append('=').append(r.get(f.name())).append(';');
                }
            }
            return b.toString();
        }
    }

    /**
     * The upgraded job's Parquet writer: bronze's schema plus {@link #NEW_COLUMN} (nullable, default null), as a
     * later BronzeEvent.avsc would declare it.
     */
    static final class WithNewColumn implements BulkWriter.Factory<BronzeEvent> {
        private static final long serialVersionUID = 1L;

        static Schema schema() {
            return Schemas.withNullableColumn(BronzeEvent.getClassSchema(), NEW_COLUMN, "added by an upgrade");
        }

        @Override
        public BulkWriter<BronzeEvent> create(FSDataOutputStream out) throws IOException {
            Schema schema = schema();
            // BronzeEvent's own data model carries its decimal and timestamp conversions.
            BulkWriter<GenericRecord> parquet = new ParquetWriterFactory<GenericRecord>(o -> AvroParquetWriter
                    .<GenericRecord>builder(o).withSchema(schema).withDataModel(SpecificData.getForClass(BronzeEvent.class))
                    .build()).create(out);
            return new BulkWriter<>() {
                @Override
                public void addElement(BronzeEvent e) throws IOException {
                    parquet.addElement(Schemas.widened(e, schema, NEW_COLUMN, "written by v2"));
                }

                @Override
                public void flush() throws IOException {
                    parquet.flush();
                }

                @Override
                public void finish() throws IOException {
                    parquet.finish();
                }
            };
        }
    }

    /** The app writing operations in the background (bursts of about 30 events) until closed. */
    static final class LiveTraffic implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger events = new AtomicInteger();
        private final Thread thread;
        private volatile Exception failure;

        private LiveTraffic(BronzeSettings s, long series) {
            thread = new Thread(() -> {
                try {
                    // Each burst its own operation ids, bounded: at most 2,000 bursts. A run closes its connections.
                    for (int burst = 0; running.get() && burst < 2_000; burst++) {
                        events.addAndGet(new OutboxTrafficGenerator(() -> connect(s), OutboxTrafficGenerator.Options.defaults(30)
                                .withSeed(series * 10_000 + burst).withFirstOperationId(series * 1_000_000 + burst * 100L)
                                .withLateCommits(0).withRedeliveries(0)
                                .withStart(Instant.parse("2026-11-30T08:00:00Z").plusSeconds(burst * 60L))).run().events());
                        Thread.sleep(50); // pacing, not synchronisation
                    }
                } catch (Exception e) {
                    failure = e;
                }
            }, "live-traffic");
            thread.setDaemon(true);
        }

        private static Connection connect(BronzeSettings s) {
            try {
                return LakeServers.connect(s);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Fails the test at once if the app's writes failed. */
        void check() throws Exception {
            if (failure != null) {
                throw failure;
            }
        }

        static LiveTraffic start(BronzeSettings s, long series) {
            LiveTraffic t = new LiveTraffic(s, series);
            t.thread.start();
            return t;
        }

        int events() {
            return events.get();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            thread.join(TimeUnit.MINUTES.toMillis(1));
            if (failure != null) {
                throw failure;
            }
        }
    }
}
