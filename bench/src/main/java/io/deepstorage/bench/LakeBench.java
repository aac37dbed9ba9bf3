package io.deepstorage.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.local.JobCommand;
import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;

/**
 * Silver and gold on generated bronze: parquet-avro BronzeEvent records (as the Flink job and BronzeFixtures write
 * them) of operations of three events, one transaction each, written straight into the S3 server's backend folder;
 * then the silver and gold jobs (Spark local[2], each in its own JVM, through the S3 server) and the same latest-state
 * query in DuckDB over the same files.
 */
final class LakeBench {
    record JobRun(String name, JobReport summary, double wallSeconds, long peakRss, long peakHeap, Map<String, Double> cpu, double cpuSeconds) {}

    record Result(long events, long operations, int files, double generateSeconds, JobRun silver, JobRun gold,
                  double duckdbSeconds, long duckdbRows, List<Increment> increments) {}

    /** An incremental silver run after {@code newEvents} more bronze events landed on the lake. */
    record Increment(long newEvents, JobRun silver) {}

    private final EmbeddedS3 s3;
    private final Path home;
    private final Path logDir;
    private final Connection duck;
    /** Whether each Spark JVM keeps a flight recording (&lt;job&gt;.jfr-repository in the log folder). */
    boolean flightRecording;

    LakeBench(EmbeddedS3 s3, Path home, Path logDir, Connection duck) {
        this.s3 = s3;
        this.home = home;
        this.logDir = logDir;
        this.duck = duck;
    }

    Result run(String bucket, long events) throws Exception {
        return run(bucket, events, List.of());
    }

    /** Then, for each of {@code increments}: that many new events (new operations on the last day), and silver again. */
    Result run(String bucket, long events, List<Long> increments) throws Exception {
        s3.blobStore().createContainerInLocation(null, bucket);
        Path bucketDir = s3.bucketDir().getParent().resolve(bucket);
        long t0 = System.nanoTime();
        long operations = events / 3;
        // Written locally, then stored through the S3 server's blob store (which records the ETag S3A's change detection needs).
        Path staging = logDir.getParent().resolve("staging-" + bucket);
        int files = generate(staging, 1, operations, START, 14);
        store(bucket, staging);
        double generate = (System.nanoTime() - t0) / 1e9;

        JobRun silver = spark("silver-" + bucket, JobCommand.SILVER, bucket, List.of());
        JobRun gold = spark("gold-" + bucket, JobCommand.GOLD, bucket, List.of("--overwrite"));

        Path out = logDir.resolve("duckdb-latest-" + bucket + ".parquet");
        Files.deleteIfExists(out);
        long d0 = System.nanoTime();
        try (Statement s = duck.createStatement()) {
            s.execute("COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY operation_id ORDER BY"
                    + " source_commit_lsn IS NOT NULL DESC, source_commit_lsn DESC NULLS LAST, source_lsn DESC NULLS LAST,"
                    + " occurred_at DESC, event_id DESC, ingested_at DESC) AS rn"
                    + " FROM read_parquet('" + LakeLayout.partGlob(bucketDir.resolve(LakeLayout.BRONZE_EVENTS).toString(), 1)
                    + "')) WHERE rn = 1)"
                    + " TO '" + out + "' (FORMAT parquet)");
        }
        double duckSeconds = (System.nanoTime() - d0) / 1e9;
        long duckRows;
        try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet('" + out + "')")) {
            rs.next();
            duckRows = rs.getLong(1);
        }
        List<Increment> done = new ArrayList<>();
        long nextOperation = operations + 1;
        for (long more : increments) {
            long newOperations = more / 3;
            generate(staging, nextOperation, newOperations, START.plus(java.time.Duration.ofDays(13)), 1);
            store(bucket, staging);
            nextOperation += newOperations;
            done.add(new Increment(newOperations * 3, spark("silver-" + bucket + "-plus-" + more, JobCommand.SILVER, bucket, List.of())));
        }
        return new Result(operations * 3, operations, files, generate, silver, gold, duckSeconds, duckRows, done);
    }

    /** Stores the generated parts through the S3 server's blob store (which records the ETag S3A's change detection needs). */
    private void store(String bucket, Path staging) throws IOException {
        var store = s3.blobStore();
        try (var walk = Files.walk(staging)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".parquet"))::iterator) {
                String key = staging.relativize(f).toString();
                store.putBlob(bucket, store.blobBuilder(key).payload(f.toFile()).contentLength(Files.size(f)).build());
                Files.delete(f);
            }
        }
    }

    private JobRun spark(String name, JobCommand command, String bucket, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--s3-endpoint", s3.endpoint(), "--bucket", bucket, "--master", "local[2]"));
        args.addAll(extra);
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        long t0 = System.nanoTime();
        List<String> jvm = flightRecording ? ChildJvm.flightRecording(logDir.resolve(name + ".jfr-repository")) : List.of();
        try (ChildJvm job = ChildJvm.start(name, home, command, jvm, args, env, logDir)) {
            JobReport summary = job.awaitReport(1800);
            int exit = job.awaitExit(120);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (exit != 0) {
                throw new IllegalStateException(name + " exited " + exit + "; see " + job.log());
            }
            if (summary.kind() != JobReport.Kind.SUMMARY) {
                throw new IllegalStateException(name + " reported " + summary + " instead of its summary; see " + job.log());
            }
            return new JobRun(name, summary, wall, job.peakRss(), job.peakHeap(),
                    job.cpuByThreadGroup(), job.cpuSeconds());
        }
    }

    private static final long FILE_ROWS = 250_000;

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    /** Operations {@code firstOperation}… spread evenly over {@code days} days from {@code start}; one part file per date and up to 250 000 rows. */
    static int generate(Path bucketDir, long firstOperation, long operations, Instant start, int days) throws IOException {
        Configuration conf = new Configuration(false);
        conf.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        long stepMicros = days * 86_400_000_000L / Math.max(1, operations);
        String[] symbols = {"BTCUSDC", "ETHUSDC", "SOLUSDC", "BNBUSDC"};
        BronzeEvent e = new BronzeEvent();
        ParquetWriter<BronzeEvent> writer = null;
        String currentDate = null;
        long rowsInFile = 0;
        int files = 0;
        long lsn = 1_000_000 + firstOperation * 1000;
        java.util.Random random = new java.util.Random(7 + firstOperation);
        try {
            for (long op = firstOperation; op < firstOperation + operations; op++) {
                Instant t = start.plusNanos((op - firstOperation) * stepMicros * 1000);
                String date = t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
                if (writer == null || !date.equals(currentDate) || rowsInFile >= FILE_ROWS) {
                    if (writer != null) {
                        writer.close();
                    }
                    Path dir = bucketDir.resolve(LakeLayout.BRONZE_EVENTS).resolve("date=" + date);
                    Files.createDirectories(dir);
                    var builder = AvroParquetWriter.<BronzeEvent>builder(new org.apache.hadoop.fs.Path(dir.resolve("part-" + UUID.randomUUID() + ".parquet").toUri()))
                            .withSchema(BronzeEvent.getClassSchema()).withDataModel(e.getSpecificData()).withConf(conf)
                            .withCompressionCodec(CompressionCodecName.SNAPPY);
                    Schemas.BRONZE_EVENT_PLAIN_COLUMNS.forEach(column -> builder.withDictionaryEncoding(column, false));
                    writer = builder.build();
                    files++;
                    currentDate = date;
                    rowsInFile = 0;
                }
                String symbol = symbols[(int) (op % 4)];
                BigDecimal trigger = BigDecimal.valueOf(60000 + random.nextInt(1000) + random.nextDouble()).setScale(8, RoundingMode.HALF_UP);
                BigDecimal stop = trigger.subtract(BigDecimal.TEN).setScale(8, RoundingMode.HALF_UP);
                BigDecimal qty = BigDecimal.valueOf(0.001 + random.nextDouble() * 2).setScale(8, RoundingMode.HALF_UP);
                boolean failed = op % 10 < 3; // 30 % failed: gold checks its label ratio
                long commitLsn = lsn;
                lsn += 1000;
                String token = Long.toHexString(random.nextLong());
                // The fill slips 0-0.8 % below the stop; slippage_pct is what silver's rule recomputes from both.
                BigDecimal fill = stop.multiply(BigDecimal.valueOf(1 - random.nextDouble() * 0.008)).setScale(8, RoundingMode.HALF_UP);
                BigDecimal slippage = stop.subtract(fill).multiply(BigDecimal.valueOf(100))
                        .divide(stop, 4, RoundingMode.HALF_UP);
                String[] types = {"STOP_TRIGGERED", "EXECUTION_SUBMITTED", failed ? "FAILED" : "EXECUTED"};
                for (int i = 0; i < 3; i++) {
                    Instant at = t.plusMillis(50L * i);
                    e.setEventId(new UUID(random.nextLong(), random.nextLong()).toString());
                    e.setEventSeq(i == 1 ? null : op * 10 + i);
                    e.setOccurredAt(at);
                    e.setOperationId(op);
                    e.setClientId(1 + op % 5);
                    e.setSymbol(symbol);
                    e.setEventType(types[i]);
                    e.setTriggerPrice(trigger);
                    e.setStopPrice(stop);
                    e.setQuantity(qty);
                    e.setSide("SELL");
                    e.setExecutionToken(token);
                    boolean executed = i == 2 && !failed;
                    e.setPayloadJson(executed ? "{\"pnl\": \"-2.50000000\", \"fee\": \"0.00100000\"}"
                            : "{\"trigger_type\": \"STOP_LOSS\", \"entry_price\": \"" + trigger.add(BigDecimal.valueOf(500)).toPlainString() + "\"}");
                    e.setRequestPayloadHash(token);
                    e.setExchangeOrderId(i > 0 ? "ord-" + op : null);
                    e.setFillPrice(executed ? fill : null);
                    e.setSlippagePct(executed ? slippage : null);
                    e.setSource("ws");
                    e.setErrorMessage(i == 2 && failed ? "exchange rejected order: insufficient balance" : null);
                    e.setRetryCount(0);
                    e.setChangeKind("INSERT");
                    e.setSourceCommitLsn(commitLsn);
                    e.setSourceLsn(commitLsn + 10 + i);
                    e.setSourceTxId(op);
                    e.setSourceCommitTs(t.plusMillis(120));
                    e.setIngestedAt(t.plusSeconds(2));
                    e.setIngestRunId("bench");
                    writer.write(e);
                }
                rowsInFile += 3;
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        return files;
    }
}
