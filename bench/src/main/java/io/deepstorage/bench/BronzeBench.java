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

import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;

/**
 * One run of the real bronze job (BronzeLocalRun in its own JVM) into a bucket of its own, watched from outside:
 * committed part files (part-*.parquet under bronze/events/date=*) are listed every 250 ms, their rows counted with
 * DuckDB, and their commit time taken as the file's mtime in the S3 server's filesystem backend.
 */
final class BronzeBench {
    record Settings(String label, String bucket, String slot, String checkpointInterval, int parallelism,
                    int chunkSize, int fetchSize, String startup) {}

    /** Rows committed (and waited for in committed files) before a live run's timed traffic, so the job is streaming. */
    static final long WARMUP_ROWS = 300;

    /** A committed part file: when it was first seen by the poller and its mtime (µs since the epoch), its rows. */
    record Part(Path path, long mtimeMicros, long firstSeenMicros, long rows) {}

    record Result(Settings settings, long expectedRows, long committedRows, long distinctEventIds, String summaryJson,
                  double processStartToDoneSeconds, double slotToDoneSeconds, double processStartToSlotSeconds,
                  List<Part> parts, long startedMicros, long slotSeenMicros, long doneMicros,
                  long peakRss, long peakHeap, Map<String, Double> jobCpu, Map<String, Double> postgresCpu, double childCpuSeconds) {}

    /** Feeds live traffic between the first catch-up and the second one; null for a backlog run. */
    interface Between {
        void run() throws Exception;
    }

    private final EmbeddedPostgres pg;
    private final EmbeddedS3 s3;
    private final Path home;
    private final Path logDir;
    private final Connection duck;
    /** When > 0, a thread dump (jcmd Thread.print) of the job every this many seconds, into the log folder. */
    int jstackEverySeconds;

    BronzeBench(EmbeddedPostgres pg, EmbeddedS3 s3, Path home, Path logDir, Connection duck) {
        this.pg = pg;
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
                "--snapshot-chunk-size", String.valueOf(st.chunkSize()), "--snapshot-fetch-size", String.valueOf(st.fetchSize()),
                "--startup", st.startup(), "--rounds", live != null ? "2" : "1", "--timeout", timeoutSeconds + "s"));
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        env.put("PG_PASSWORD", pg.password());
        env.put("FLINK_PLUGINS_DIR", home.resolve("flink-bronze/target/flink-plugins").toString());
        long expected;
        try (Connection c = pg.connect()) {
            expected = OutboxLoad.scalarLong(c, "SELECT count(*) FROM stop_events");
        }
        Map<Path, Part> parts = new HashMap<>();
        Map<Long, Map.Entry<String, Long>> pgBefore = ProcCpu.postgresTicks();
        Map<Long, Map.Entry<String, Long>> pgLatest = new HashMap<>(pgBefore);
        long slotSeen = -1;
        String summary;
        ChildJvm job = ChildJvm.start("bronze-" + st.label(), home, "flink-bronze", "io.deepstorage.bronze.BronzeLocalRun",
                "2g", args, env, logDir);
        try (Connection c = pg.connect(); job) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            String line;
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
                pgLatest.putAll(ProcCpu.postgresTicks());
                line = job.pollReport(250);
                if (line != null && line.startsWith("CAUGHT_UP") && !liveDone) {
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
                if (line != null) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bronze " + st.label() + " did not finish within " + timeoutSeconds + " s; see " + job.log());
                }
            }
            summary = line.substring(line.indexOf(' ') + 1);
            scan(bucketDir, parts);
            pgLatest.putAll(ProcCpu.postgresTicks());
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
                ProcCpu.delta(pgBefore, pgLatest), job.cpuSeconds());
    }

    private void scan(Path bucketDir, Map<Path, Part> parts) throws Exception {
        Path events = bucketDir.resolve("bronze/events");
        if (!Files.isDirectory(events)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(events, 2)) {
            files = walk.filter(p -> p.getParent().getFileName().toString().startsWith("date=")
                    && p.getFileName().toString().startsWith("part-") && p.getFileName().toString().endsWith(".parquet")).toList();
        }
        long now = Clock.nowMicros();
        for (Path f : files) {
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
