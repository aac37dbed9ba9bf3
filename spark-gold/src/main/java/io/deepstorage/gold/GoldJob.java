package io.deepstorage.gold;

import static org.apache.spark.sql.functions.col;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.ParquetSink;
import io.deepstorage.spark.StepTimes;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.KnownNotNull;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * silver/stop_executions → the gold training sets ({@link StopOutcomeDataset stop_outcome},
 * {@link SlippagePredictionDataset slippage_prediction}), each as gold/training_sets/&lt;name&gt;/v&lt;version&gt;/{train,test}
 * + _manifest.json: read silver → every set's examples in one pass (pure features and labels applied through Spark) →
 * per set, the time split, its gates and the content hash → write train/test → commit the manifest. Every set is split, gated and
 * checked against its existing version before anything is written, so a refused set leaves all of gold as it was.
 */
public final class GoldJob {
    public static final String NAME = "gold";
    /** The report of the first set keeps its keys unprefixed (train_rows, content_hash, …); the others prefix theirs. */
    static final List<GoldDataset> DATASETS = List.of(new StopOutcomeDataset(), new SlippagePredictionDataset());
    /** silver/stop_executions/client_id=…/date=…/part-*.parquet */
    private static final int SILVER_PARTITION_DEPTH = 2;
    /** The row order of every written file: trigger time, then the operation (a unique key). */
    private static final String[] ORDER = {"triggered_at", "operation_id"};
    /**
     * Columns of the sets whose values are (nearly) all distinct, written without a Parquet dictionary (which would
     * only cost hash lookups until it overflowed); a name a set does not have is ignored.
     */
    static final List<String> PLAIN_COLUMNS = List.of("operation_id", "triggered_at", "source_event_ids.list.element", "quantity",
            "stop_distance_pct", "volatility_15m", "trigger_price_change_15m_pct", "client_slippage_mean_24h");

    /**
     * Spark's share of the heap holds gold's cached examples and each training file's sort; gold's own objects are
     * few and short-lived (a candidate's examples, the trigger times on the driver). At the default 0.6 the file sorts
     * spilled to disk beside the cached examples: the writes at 10M took 16.5-17.0 s, 12.1-14.2 s at 0.8 (file lake,
     * -Xmx6g; docs/benchmarks.md, "Section 4 run of 2026-12-07, afternoon").
     */
    static final Map<String, String> SPARK_TUNING = Map.of("spark.memory.fraction", "0.8");

    private GoldJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return JobLauncher.launch(NAME, "Builds the versioned gold training sets (stop_outcome, slippage_prediction) from silver/stop_executions.",
                args, env, GoldConfig.OPTIONS, cli -> GoldConfig.from(cli, Instant.now()), GoldJob::build, SPARK_TUNING, out, err);
    }

    /** Where one set's version is written. */
    record Target(String versionUri, String manifestUri) {
        static Target of(LakeConfig lake, String dataset, String version) {
            String versionUri = lake.resolve(LakeLayout.goldTrainingSet(dataset, version));
            return new Target(versionUri, versionUri + "/" + GoldManifest.FILE_NAME);
        }
    }

    /** One set's examples with their split column, and what the manifest says about them. */
    record TrainingSet(GoldDataset dataset, Target target, Dataset<Row> rows, long examples, Instant cutoff,
                       GoldManifest.SplitCounts counts, String contentHash) {
        /** Report keys: the first set's as they are, the others' prefixed with the set's name. */
        String key(String name) {
            return dataset == DATASETS.get(0) ? name : dataset.name() + "_" + name;
        }
    }

    /** A split set, and whether its version already holds this content. */
    private record Checked(TrainingSet set, boolean unchanged) {}

    static JobReport.Builder build(GoldConfig config, LakeConfig lake, SparkSession spark) {
        JobReport.Builder report = JobReport.start(NAME).put("version", config.version()).put("as_of", config.asOf().toString());
        StepTimes steps = new StepTimes();
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());
        String silverUri = lake.resolve(LakeLayout.SILVER_STOP_EXECUTIONS);

        List<LakeLayout.Entry> silverFiles = committedSilver(files, silverUri);
        // Not cached whole: the feature passes read a few of its columns (cached below), the join reads it once more.
        Dataset<Row> silver = readSilver(spark, silverUri);
        List<Dataset<Row>> cached = new ArrayList<>();
        try {
            // One feature pass per symbol and per client serves every set.
            Dataset<Row> history = OtherOperationsFeatures.history(silver).persist();
            cached.add(history);
            long operations = history.count();
            report.put(JobReport.ROWS_IN, operations);
            steps.lap("read_silver");
            // Not cached: the one pass below reads each candidate once and builds every set's example of it.
            Dataset<Row> candidates = OtherOperationsFeatures.withFeatures(silver, history, config.asOf(),
                    operations <= OtherOperationsFeatures.BROADCAST_MAX_OPERATIONS);
            Dataset<Row> examples = examplesOfEverySet(candidates, config).persist();
            cached.add(examples);
            examples.count(); // builds the cache: the feature passes, the join and every set's examples run here
            history.unpersist();
            steps.lap("examples");
            // The sets are split side by side: each split's collect and cutoff run on the driver while the other's
            // scans run on the cores. A set's failure (its gates, its version) is reported before a later set's.
            List<Supplier<Checked>> splits = new ArrayList<>();
            for (GoldDataset dataset : DATASETS) {
                splits.add(() -> {
                    TrainingSet set = splitByTime(dataset, examplesOf(examples, dataset), config, silverUri,
                            Target.of(lake, dataset.name(), config.version()));
                    return new Checked(set, alreadyCommitted(files, set, config));
                });
            }
            List<Checked> sets = concurrently(splits);
            steps.lap("split_and_gates");
            List<TrainingSet> toWrite = new ArrayList<>();
            for (Checked checked : sets) {
                TrainingSet set = checked.set();
                report.put(set.key("examples"), set.examples())
                        .put(set.key("train_rows"), set.counts().trainRows()).put(set.key("test_rows"), set.counts().testRows())
                        .put(set.key("purged_rows"), set.counts().purgedRows()).put(set.key("cutoff"), set.cutoff().toString())
                        .put(set.key("content_hash"), set.contentHash()).put(set.key("unchanged"), checked.unchanged());
                if (!checked.unchanged()) {
                    toWrite.add(set);
                }
            }
            long rowsOut = 0;
            long filesWritten = 0;
            for (List<ParquetSink.WriteResult> written : writeAll(spark, files, toWrite, config, silverUri, silverFiles)) {
                rowsOut += written.stream().mapToLong(ParquetSink.WriteResult::rows).sum();
                filesWritten += written.stream().mapToLong(ParquetSink.WriteResult::files).sum() + 1;
            }
            steps.lap("writes");
            if (toWrite.isEmpty()) {
                report.put("note", "v" + config.version() + " of every set already holds this content; nothing written");
            }
            return report.put(JobReport.ROWS_OUT, rowsOut).put(JobReport.FILES_WRITTEN, filesWritten)
                    .put("step_seconds", steps.toMap());
        } finally {
            cached.forEach(Dataset::unpersist);
        }
    }

    // ---- read silver

    private static List<LakeLayout.Entry> committedSilver(LakeFiles files, String silverUri) {
        List<LakeLayout.Entry> silverFiles = files.committedParts(silverUri);
        if (silverFiles.isEmpty()) {
            throw new JobFailedException("no committed silver files (part-*.parquet) under " + silverUri);
        }
        return silverFiles;
    }

    static Dataset<Row> readSilver(SparkSession spark, String silverUri) {
        return spark.read()
                .option("basePath", silverUri)
                .parquet(LakeLayout.partGlob(silverUri, SILVER_PARTITION_DEPTH))
                .select(col("operation_id"), col("client_id").cast("long").as("client_id"), col("symbol"), col("status"),
                        attemptAt().as("triggered_at"), col("executed_at"), col("failed_at"), col("trigger_price"), col("stop_price"),
                        col("entry_price"), col("slippage_pct"), col("source_event_ids"),
                        // Gold only asks whether there was a fill: a flag, not a decimal built per row.
                        col("fill_price").isNotNull().as("has_fill_price"), col("quantity"),
                        col("side"));
    }

    /**
     * When the stop fired: its STOP_TRIGGERED, or for a failed attempt whose trigger was rolled back with it (the
     * app then writes a lone FAILED), the operation's first recorded event, the closest known time to the trigger.
     * Without it gold would see almost only successes.
     */
    static Column attemptAt() {
        return functions.when(col("triggered_at").isNull().and(col("status").equalTo(SilverStatus.FAILED)), col("first_event_at"))
                .otherwise(col("triggered_at"));
    }

    // ---- transform

    /** The time split, its counts and gates (minimum rows, then the set's own), and the content hash of what would be written. */
    static TrainingSet splitByTime(GoldDataset dataset, Dataset<Row> examples, GoldConfig config, String silverUri, Target target) {
        long[] triggers = triggerMicros(examples);
        if (triggers.length == 0) {
            throw new JobFailedException(dataset.name() + ": no examples (triggered operations with a final outcome before "
                    + config.asOf() + ") in " + silverUri);
        }
        Instant cutoff = GroupHistory.instant(TimeSplit.cutoffMicros(triggers, config.testFraction()));
        Dataset<Row> split = examples.withColumn("split", splitOf(cutoff));
        SplitTally tally = tally(split, dataset.countedLabel());
        GoldManifest.SplitCounts counts = tally.counts();
        if (counts.trainRows() < config.minTrainRows() || counts.testRows() < config.minTestRows()) {
            throw new JobFailedException(String.format(java.util.Locale.ROOT,
                    "%s: too few examples to learn from: train %d, test %d (at least %d and %d; --min-train-rows, --min-test-rows)",
                    dataset.name(), counts.trainRows(), counts.testRows(), config.minTrainRows(), config.minTestRows()));
        }
        dataset.gate(split, counts, config);
        return new TrainingSet(dataset, target, split, triggers.length, cutoff, counts, tally.contentHash());
    }

    /** Every example's trigger time in epoch micros, sent to the driver as one array per partition, not a row per example. */
    static long[] triggerMicros(Dataset<Row> examples) {
        List<long[]> partitions = examples.select(functions.unix_micros(col("triggered_at")))
                .mapPartitions((MapPartitionsFunction<Row, long[]>) rows -> {
                    long[] micros = new long[1024];
                    int n = 0;
                    while (rows.hasNext()) {
                        if (n == micros.length) {
                            micros = Arrays.copyOf(micros, 2 * n);
                        }
                        micros[n++] = rows.next().getLong(0);
                    }
                    return List.of(Arrays.copyOf(micros, n)).iterator();
                }, Encoders.javaSerialization(long[].class))
                .collectAsList();
        long[] all = new long[partitions.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (long[] partition : partitions) {
            System.arraycopy(partition, 0, all, at, partition.length);
            at += partition.length;
        }
        return all;
    }

    /**
     * The column every set's examples carry with the same value (the operation's event ids, most of a row's bytes): kept
     * once per candidate beside the sets' structs, not once in each.
     */
    static final String SHARED_COLUMN = "source_event_ids";

    /**
     * Every set's examples in one pass over the candidates: a row per candidate with {@link #SHARED_COLUMN}, then one
     * nullable struct column per set (its {@link GoldDataset#exampleRow} without the shared column, named after the
     * set; null where the set has no example of the candidate), so each candidate is read and turned into its
     * operation once.
     */
    static Dataset<Row> examplesOfEverySet(Dataset<Row> candidates, GoldConfig config) {
        List<GoldDataset> sets = DATASETS;
        int[] sharedAt = new int[sets.size()];
        StructType struct = new StructType().add(SHARED_COLUMN, sharedType(sets), true);
        for (int i = 0; i < sets.size(); i++) {
            StructType row = sets.get(i).exampleRow();
            sharedAt[i] = row.fieldIndex(SHARED_COLUMN);
            StructType rest = new StructType();
            for (StructField field : row.fields()) {
                if (!field.name().equals(SHARED_COLUMN)) {
                    rest = rest.add(field);
                }
            }
            struct = struct.add(sets.get(i).name(), rest, true);
        }
        CandidateColumns columns = CandidateColumns.of(candidates.schema());
        String version = config.version();
        Instant asOf = config.asOf();
        return candidates.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            ContentHash.RowHasher hasher = new ContentHash.RowHasher(); // one per task: it reuses its digest and buffer
            return new Iterator<>() {
                @Override public boolean hasNext() { return rows.hasNext(); }

                @Override public Row next() { return everySetsExamples(rows.next(), columns, sharedAt, version, asOf, hasher); }
            };
        }, Encoders.row(struct));
    }

    /** One candidate's row of {@link #examplesOfEverySet}. */
    private static Row everySetsExamples(Row candidate, CandidateColumns columns, int[] sharedAt, String version, Instant asOf,
                                        ContentHash.RowHasher hasher) {
        SilverOperation op = toOperation(candidate, columns);
        Object[] out = new Object[1 + DATASETS.size()];
        for (int i = 0; i < DATASETS.size(); i++) {
            GoldDataset.Example example = DATASETS.get(i).example(op, candidate, columns, version, asOf);
            if (example != null) {
                List<Object> values = AvroRows.valuesOf(example.record());
                // The digests are taken here, from the values as built, so the content hash reads two binary columns
                // instead of turning every cached row back into values and text.
                byte[][] digests = hasher.rowDigests(values, TimeSplit.Split.TRAIN.name(), TimeSplit.Split.TEST.name());
                Object shared = values.remove(sharedAt[i]);
                if (out[0] == null) { // the same in every set's example: converted once
                    out[0] = AvroRows.sparkValue(shared);
                }
                out[1 + i] = AvroRows.toRow(values, example.outcomeAt(), digests[0], digests[1]);
            }
        }
        return RowFactory.create(out);
    }

    /** The shared column's type, the same in every set (or the sets cannot share it). */
    private static DataType sharedType(List<GoldDataset> sets) {
        DataType type = sets.get(0).exampleRow().apply(SHARED_COLUMN).dataType();
        for (GoldDataset set : sets) {
            if (!set.exampleRow().apply(SHARED_COLUMN).dataType().equals(type)) {
                throw new IllegalStateException(set.name() + "'s " + SHARED_COLUMN + " is not " + type.simpleString());
            }
        }
        return type;
    }

    /**
     * One set's examples ({@link GoldDataset#exampleRow} rows, in its column order) out of {@link #examplesOfEverySet}'s.
     * A field of a nullable struct (or a nullable column) reads as nullable, so each field the set's schema requires is
     * marked known not null (its struct is not null here, and the row encoder refused a null in it): the files keep the
     * contract's required fields.
     */
    static Dataset<Row> examplesOf(Dataset<Row> everySet, GoldDataset dataset) {
        List<Column> fields = new ArrayList<>();
        for (StructField field : dataset.exampleRow().fields()) {
            Column value = col(field.name().equals(SHARED_COLUMN) ? SHARED_COLUMN : dataset.name() + "." + field.name());
            fields.add((field.nullable() ? value : new Column(new KnownNotNull(value.expr()))).as(field.name()));
        }
        return everySet.where(col(dataset.name()).isNotNull()).select(fields.toArray(Column[]::new));
    }

    /**
     * Where a candidate's columns are ({@link GoldJob#readSilver}'s and the features'), looked up once from its
     * schema: by name per row, the lookups were 2 % of gold's time.
     */
    record CandidateColumns(int operationId, int clientId, int symbol, int status, int triggeredAt, int executedAt,
                            int failedAt, int triggerPrice, int stopPrice, int entryPrice, int slippagePct,
                            int sourceEventIds, int hasFillPrice, int quantity, int side, int volatility15m,
                            int triggerPriceChange15mPct, int consecutiveFailures1h, int clientSlippageMean24h,
                            int clientFailureRate24h) implements java.io.Serializable {
        static CandidateColumns of(StructType schema) {
            return new CandidateColumns(schema.fieldIndex("operation_id"), schema.fieldIndex("client_id"),
                    schema.fieldIndex("symbol"), schema.fieldIndex("status"), schema.fieldIndex("triggered_at"),
                    schema.fieldIndex("executed_at"), schema.fieldIndex("failed_at"), schema.fieldIndex("trigger_price"),
                    schema.fieldIndex("stop_price"), schema.fieldIndex("entry_price"), schema.fieldIndex("slippage_pct"),
                    schema.fieldIndex("source_event_ids"), schema.fieldIndex("has_fill_price"), schema.fieldIndex("quantity"),
                    schema.fieldIndex("side"), schema.fieldIndex("volatility_15m"),
                    schema.fieldIndex("trigger_price_change_15m_pct"), schema.fieldIndex("consecutive_failures_1h"),
                    schema.fieldIndex("client_slippage_mean_24h"), schema.fieldIndex("client_failure_rate_24h"));
        }

        static Double doubleOrNull(Row row, int i) {
            return row.isNullAt(i) ? null : row.getDouble(i);
        }
    }

    static SilverOperation toOperation(Row r, CandidateColumns c) {
        return new SilverOperation(
                r.getLong(c.operationId()), r.getLong(c.clientId()), r.getString(c.symbol()), r.getString(c.status()),
                r.<Instant>getAs(c.triggeredAt()), r.<Instant>getAs(c.executedAt()), r.<Instant>getAs(c.failedAt()),
                r.getDecimal(c.triggerPrice()), r.getDecimal(c.stopPrice()), r.getDecimal(c.entryPrice()),
                r.getDecimal(c.slippagePct()), r.getList(c.sourceEventIds()));
    }

    /**
     * {@link TimeSplit#assign} as a Spark expression (generated code, no call into Java per row: the split is taken
     * again by the tally and by each file's filter): test from the cutoff on, train before it with the outcome before
     * it too, purged otherwise. GoldJobIT checks it against {@link TimeSplit#assign} at and around the cutoff.
     */
    static Column splitOf(Instant cutoff) {
        Column at = functions.lit(cutoff);
        return functions.when(col("triggered_at").geq(at), TimeSplit.Split.TEST.name())
                .when(col("outcome_at").lt(at), TimeSplit.Split.TRAIN.name())
                .otherwise(TimeSplit.Split.PURGED.name());
    }

    /**
     * The split's counts and the {@link ContentHash} of the kept rows in one scan: each task tallies its rows (the
     * digests they carry for the split they got, taken by {@link #everySetsExamples}), the driver merges the tallies.
     */
    private static SplitTally tally(Dataset<Row> split, String countedLabel) {
        List<SplitTally> partials = split.select(col("split"), col(countedLabel), col(GoldDataset.TRAIN_DIGEST), col(GoldDataset.TEST_DIGEST))
                .mapPartitions((MapPartitionsFunction<Row, SplitTally>) rows -> {
                    SplitTally tally = new SplitTally();
                    while (rows.hasNext()) {
                        Row row = rows.next();
                        tally.add(TimeSplit.Split.valueOf(row.getString(0)), !row.isNullAt(1) && row.getBoolean(1),
                                (byte[]) row.get(2), (byte[]) row.get(3));
                    }
                    return List.of(tally).iterator();
                }, Encoders.javaSerialization(SplitTally.class))
                .collectAsList();
        SplitTally total = new SplitTally();
        partials.forEach(total::merge);
        return total;
    }

    // ---- write train/test

    /**
     * True when the version's manifest already holds this content (nothing to write). A version with other content
     * is refused unless {@code --overwrite} is given.
     */
    private static boolean alreadyCommitted(LakeFiles files, TrainingSet set, GoldConfig config) {
        Optional<String> manifest = files.readText(set.target().manifestUri());
        Optional<String> existingHash = manifest.flatMap(GoldManifest::contentHash);
        if (existingHash.isEmpty() || config.overwrite()) {
            return existingHash.isPresent() && hashedLikeThisBuild(manifest.get()) && existingHash.get().equals(set.contentHash());
        }
        String version = "gold " + set.dataset().name() + " v" + config.version();
        if (!hashedLikeThisBuild(manifest.get())) {
            throw new JobFailedException(version + " was hashed by an older build (another content_hash_algorithm), so this build"
                    + " cannot tell whether its content is the same; pass --overwrite to write it again, or build a new version");
        }
        if (!existingHash.get().equals(set.contentHash())) {
            throw new JobFailedException(version + " already exists with content_hash " + existingHash.get() + " (this build: "
                    + set.contentHash() + "); pass --overwrite to replace it");
        }
        return true;
    }

    /** A manifest without content_hash_algorithm counts as this build's (the field has always been written). */
    private static boolean hashedLikeThisBuild(String manifest) {
        return GoldManifest.contentHashAlgorithm(manifest).map(ContentHash.ALGORITHM::equals).orElse(true);
    }

    /**
     * Every set's train and test files, then each set's manifest once both its files are written. Each file is one
     * Spark task (one file in row order), so the files are written {@link #concurrently}: one after the other, a
     * single core would write while the other idles. A set whose write fails keeps no manifest; the others still
     * commit theirs, and the first failure is rethrown.
     */
    private static List<List<ParquetSink.WriteResult>> writeAll(SparkSession spark, LakeFiles files, List<TrainingSet> sets,
                                                                GoldConfig config, String silverUri, List<LakeLayout.Entry> silverFiles) {
        ParquetSink sink = new ParquetSink(spark);
        List<Supplier<List<ParquetSink.WriteResult>>> committed = new ArrayList<>();
        for (TrainingSet set : sets) {
            // Remove the commit marker first: a crash while rewriting must not leave a manifest over other data.
            files.delete(set.target().manifestUri());
            String versionUri = set.target().versionUri();
            committed.add(() -> {
                List<ParquetSink.WriteResult> written = concurrently(List.of(
                        () -> sink.writeWhole(rowsOf(set, TimeSplit.Split.TRAIN), set.counts().trainRows(), versionUri + "/train",
                                PLAIN_COLUMNS, ORDER),
                        () -> sink.writeWhole(rowsOf(set, TimeSplit.Split.TEST), set.counts().testRows(), versionUri + "/test",
                                PLAIN_COLUMNS, ORDER)));
                commitManifest(files, set, config, silverUri, silverFiles);
                return written;
            });
        }
        return concurrently(committed);
    }

    /**
     * Each task on a thread of its own (Spark runs the jobs of several threads side by side), the results in order once
     * every task has ended; the first failure in order is rethrown after the others have ended.
     */
    static <T> List<T> concurrently(List<Supplier<T>> tasks) {
        List<CompletableFuture<T>> running = new ArrayList<>();
        for (Supplier<T> task : tasks) {
            CompletableFuture<T> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    result.complete(task.get());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "gold-task");
            thread.setDaemon(true);
            thread.start();
            running.add(result);
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<T> task : running) {
            try {
                results.add(task.join());
            } catch (CompletionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException cause ? cause : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** A set's train or test rows in its schema's columns (written in {@link #ORDER}). */
    private static Dataset<Row> rowsOf(TrainingSet set, TimeSplit.Split which) {
        return set.rows().filter(col("split").equalTo(which.name()))
                .select(columns(set.dataset()).stream().map(functions::col).toArray(Column[]::new));
    }

    private static List<String> columns(GoldDataset dataset) {
        return dataset.schema().getFields().stream().map(f -> f.name()).toList();
    }

    // ---- commit manifest

    /** Written last: a version without its manifest is not committed. */
    private static void commitManifest(LakeFiles files, TrainingSet set, GoldConfig config, String silverUri,
                                       List<LakeLayout.Entry> silverFiles) {
        files.writeText(set.target().manifestUri(), GoldManifest.toJson(set.dataset(), config, GoldManifest.codeVersion(),
                set.cutoff(), set.counts(), silverUri, silverFiles, set.contentHash()));
    }
}
