package io.deepstorage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.deepstorage.cli.Database;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.local.JobCommand;
import io.deepstorage.schemas.LakeLayout;

/**
 * One run of the real bronze job ({@link JobCommand#BRONZE} in its own JVM) into a bucket of its own, watched from
 * outside: committed part files ({@link LakeLayout#committedParts} under bronze/events) are listed every 250 ms, their rows counted with
 * DuckDB, and their commit time taken as the file's mtime in the S3 server's filesystem backend.
 */
final class BronzeBench {
    /** {@code chunkSize}, {@code fetchSize}: null for the job's defaults (the settings as shipped). */
    record Settings(String label, String bucket, String slot, String checkpointInterval, int parallelism,
                    Integer chunkSize, Integer fetchSize, String startup, CpuPlacement placement) {
        Settings(String label, String bucket, String slot, String checkpointInterval, int parallelism, Integer chunkSize,
                 Integer fetchSize, String startup) {
            this(label, bucket, slot, checkpointInterval, parallelism, chunkSize, fetchSize, startup, CpuPlacement.SHARED);
        }
    }

    /** Rows committed (and waited for in committed files) before a live run's timed traffic, so the job is streaming. */
    static final long WARMUP_ROWS = 300;

    /** A committed part file: when it was first seen by the poller and its mtime (µs since the epoch), its rows. */
    record Part(Path path, long mtimeMicros, long firstSeenMicros, long rows) {}

    record Result(Settings settings, long expectedRows, long committedRows, long distinctEventIds, JobReport summary,
                  double processStartToDoneSeconds, double slotToDoneSeconds, double processStartToSlotSeconds,
                  List<Part> parts, long startedMicros, long slotSeenMicros, long doneMicros,
                  long peakRss, long peakHeap, Map<String, Double> jobCpu, Map<String, Double> postgresCpu, double childCpuSeconds,
                  double gcPauseSeconds, JfrProfile.Summary profile) {}

    /** Feeds live traffic between the first catch-up and the second one; null for a backlog run. */
    interface Between {
        void run() throws Exception;
    }

    private final EmbeddedPostgres pg;
    private final Database outbox;
    private final EmbeddedS3 s3;
    private final Path home;
    private final Path logDir;
    private final Connection duck;
    /** When > 0, a thread dump (jcmd Thread.print) of the job every this many seconds, into the log folder. */
    int jstackEverySeconds;
    /** The job JVM's -Xmx. */
    String heap = JobCommand.BRONZE.heap;
    /** Whether the job JVM keeps a flight recording (bronze-&lt;label&gt;.jfr in the log folder), summarised per stage. */
    boolean flightRecording;
    /** The CPUs this bench may use, read before any {@link CpuPlacement#SPLIT} narrows them. */
    private final List<Integer> cpus;

    BronzeBench(EmbeddedPostgres pg, EmbeddedS3 s3, Path home, Path logDir, Connection duck, List<Integer> cpus) {
        this.cpus = List.copyOf(cpus);
        this.pg = pg;
        this.outbox = OutboxLoad.database(pg);
        this.s3 = s3;
        this.home = home;
        this.logDir = logDir;
        this.duck = duck;
    }

    Result run(Settings st, Between live, long timeoutSeconds) throws Exception {
        s3.blobStore().createContainerInLocation(null, st.bucket());
        Path bucketDir = s3.bucketDir().getParent().resolve(st.bucket());
        List<String> args = new ArrayList<>(List.of("--pg-host", pg.host(), "--pg-port", String.valueOf(pg.port()),
                "--pg-database", pg.database(), "--pg-user", pg.user(), "--bucket", st.bucket(), "--s3-endpoint", s3.endpoint(),
                "--checkpoint-interval", st.checkpointInterval(), "--heartbeat-interval", "1s", "--slot-name", st.slot(),
                "--parallelism", String.valueOf(st.parallelism()),
                "--startup", st.startup(), "--rounds", live != null ? "2" : "1", "--timeout", timeoutSeconds + "s"));
        if (st.chunkSize() != null) {
            args.addAll(List.of("--snapshot-chunk-size", String.valueOf(st.chunkSize())));
        }
        if (st.fetchSize() != null) {
            args.addAll(List.of("--snapshot-fetch-size", String.valueOf(st.fetchSize())));
        }
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        env.put("PG_PASSWORD", pg.password());
        long expected;
        try (Connection c = outbox.connect()) {
            expected = OutboxLoad.scalarLong(c, "SELECT count(*) FROM stop_events");
        }
        Path jfr = logDir.resolve("bronze-" + st.label() + ".jfr-repository");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        if (flightRecording) {
            jvm.addAll(ChildJvm.flightRecording(jfr));
        }
        // Under a split placement everything else moves to its half first: the job's walsender, forked when the job
        // connects, inherits it from the postmaster.
        try (CpuPlacement.Pinned others = st.placement().pinOthers(pg.postmaster(), cpus)) {
            return watch(st, live, timeoutSeconds, bucketDir, args, env, jvm, jfr, expected);
        }
    }

    private Result watch(Settings st, Between live, long timeoutSeconds, Path bucketDir, List<String> args,
                         Map<String, String> env, List<String> jvm, Path jfr, long expected) throws Exception {
        Map<Path, Part> parts = new HashMap<>();
        Map<Long, Map.Entry<String, Long>> pgBefore = ProcCpu.postgresTicks(pg.postmaster());
        Map<Long, Map.Entry<String, Long>> pgLatest = new HashMap<>(pgBefore);
        long slotSeen = -1;
        JobReport summary;
        ChildJvm job = ChildJvm.start("bronze-" + st.label(), home, st.placement().launcher(cpus), JobCommand.BRONZE, jvm,
                args, env, logDir);
        try (Connection c = outbox.connect(); job) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            JobReport report;
            boolean liveDone = live == null;
            long nextDump = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, jstackEverySeconds));
            int dumps = 0;
            while (true) {
                if (jstackEverySeconds > 0 && System.nanoTime() > nextDump) {
                    nextDump += TimeUnit.SECONDS.toNanos(jstackEverySeconds);
                    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                    new ProcessBuilder(jcmd.toString(), String.valueOf(job.pid()), "Thread.print")
                            .redirectErrorStream(true)
                            .redirectOutput(logDir.resolve("bronze-" + st.label() + ".jstack-" + (++dumps) + ".txt").toFile())
                            .start().waitFor(20, TimeUnit.SECONDS);
                }
                if (slotSeen < 0 && OutboxLoad.scalarLong(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + st.slot() + "'") > 0) {
                    slotSeen = Clock.nowMicros();
                }
                scan(bucketDir, parts);
                pgLatest.putAll(ProcCpu.postgresTicks(pg.postmaster()));
                report = job.pollReport(250);
                if (report != null && report.kind() == JobReport.Kind.CAUGHT_UP && !liveDone) {
                    // The first catch-up can come before the source reads anything (an empty outbox is trivially
                    // caught up): commit a few rows and wait until they are in committed files, then time.
                    long first = OutboxLoad.scalarLong(c, "SELECT coalesce(max(operation_id) * 3, 0) FROM stop_events") + 3;
                    OutboxLoad.load(c, first, WARMUP_ROWS, 3);
                    while (parts.values().stream().mapToLong(Part::rows).sum() < WARMUP_ROWS) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("bronze " + st.label() + " did not commit the warm-up rows; see " + job.log());
                        }
                        Thread.sleep(200);
                        scan(bucketDir, parts);
                    }
                    live.run();
                    liveDone = true;
                    job.proceed();
                    continue;
                }
                if (report != null) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bronze " + st.label() + " did not finish within " + timeoutSeconds + " s; see " + job.log());
                }
            }
            if (report.kind() != JobReport.Kind.SUMMARY) {
                throw new IllegalStateException("bronze " + st.label() + " reported " + report + " instead of its summary; see " + job.log());
            }
            summary = report;
            scan(bucketDir, parts);
            pgLatest.putAll(ProcCpu.postgresTicks(pg.postmaster()));
            job.awaitExit(120);
            if (live != null) {
                expected = OutboxLoad.scalarLong(c, "SELECT count(*) FROM stop_events");
            }
        }
        List<Part> sorted = parts.values().stream().sorted((a, b) -> Long.compare(a.mtimeMicros(), b.mtimeMicros())).toList();
        long committed = sorted.stream().mapToLong(Part::rows).sum();
        long distinct = distinctEventIds(sorted);
        long done = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1).mtimeMicros();
        return new Result(st, expected, committed, distinct, summary,
                (done - job.startedEpochMicros) / 1e6, slotSeen < 0 ? Double.NaN : (done - slotSeen) / 1e6,
                slotSeen < 0 ? Double.NaN : (slotSeen - job.startedEpochMicros) / 1e6,
                sorted, job.startedEpochMicros, slotSeen, done, job.peakRss(), job.peakHeap(), job.cpuByThreadGroup(),
                ProcCpu.delta(pgBefore, pgLatest), job.cpuSeconds(), job.gcPauseSeconds(),
                flightRecording && Files.exists(jfr) ? JfrProfile.read(jfr) : null);
    }

    /** A folder of the local filesystem (here the S3 server's backend) as {@link LakeLayout.Listing} lists it. */
    static final LakeLayout.Listing LOCAL_FILES = dir -> {
        if (!Files.isDirectory(Path.of(dir))) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(Path.of(dir))) {
            return list.map(p -> new LakeLayout.Entry(p.toString(), p.getFileName().toString(), Files.isDirectory(p),
                    p.toFile().length())).toList();
        }
    };

    /** The committed bronze part files in a bucket's backend folder. */
    static List<Path> committedParts(Path bucketDir) throws java.io.IOException {
        return LakeLayout.committedParts(bucketDir.resolve(LakeLayout.BRONZE_EVENTS).toString(), LOCAL_FILES).stream()
                .map(e -> Path.of(e.path())).toList();
    }

    private void scan(Path bucketDir, Map<Path, Part> parts) throws Exception {
        long now = Clock.nowMicros();
        for (Path f : committedParts(bucketDir)) {
            if (parts.containsKey(f)) {
                continue;
            }
            try (Statement s = duck.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet('" + f + "')")) {
                rs.next();
                long mtime = Files.getLastModifiedTime(f).to(TimeUnit.MICROSECONDS);
                parts.put(f, new Part(f, mtime, now, rs.getLong(1)));
            } catch (Exception notYetReadable) {
                // being written; next scan
            }
        }
    }

    private long distinctEventIds(List<Part> parts) throws Exception {
        if (parts.isEmpty()) {
            return 0;
        }
        try (Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(DISTINCT event_id) FROM read_parquet(" + fileList(parts) + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String fileList(List<Part> parts) {
        StringBuilder b = new StringBuilder("[");
        for (Part p : parts) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('\'').append(p.path()).append('\'');
        }
        return b.append(']').toString();
    }

    /**
     * Rows committed (source_commit_ts) from {@code fromMicros} on that are in parts committed (file mtime) by
     * {@code byMicros}.
     */
    long rowsCommittedBy(List<Part> parts, long fromMicros, long byMicros) throws Exception {
        List<Part> inTime = parts.stream().filter(p -> p.mtimeMicros() <= byMicros).toList();
        if (inTime.isEmpty()) {
            return 0;
        }
        try (Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet(" + fileList(inTime) + ")"
                     + " WHERE source_commit_ts IS NOT NULL AND epoch_us(source_commit_ts) >= " + fromMicros)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Commit (source_commit_ts) → committed file mtime, in ms, of every streamed row committed from {@code fromMicros} on. */
    long[] latenciesMillis(List<Part> parts, long fromMicros) throws Exception {
        Map<String, Long> mtimeByFile = new HashMap<>();
        parts.forEach(p -> mtimeByFile.put(p.path().toString(), p.mtimeMicros()));
        List<Long> out = new ArrayList<>();
        try (Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT filename, epoch_us(source_commit_ts) FROM read_parquet(" + fileList(parts)
                     + ", filename = true) WHERE source_commit_ts IS NOT NULL AND epoch_us(source_commit_ts) >= " + fromMicros)) {
            while (rs.next()) {
                out.add((mtimeByFile.get(rs.getString(1)) - rs.getLong(2)) / 1000);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
