package io.deepstorage.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.ParquetSink;
import io.deepstorage.spark.StepTimes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * A silver run over what is new: the bronze parts not in the last run's record. The operations those parts touch
 * are folded again from all of their events (the dates their earlier events live on are known from their silver or
 * quarantine row), and only the partitions those operations lived in or live in now are rewritten: each keeps its
 * other operations' rows as they were. Late events for old operations, replays and compacted parts are new parts
 * like any; folding is idempotent, so re-folding an operation whose events did not change gives the same row.
 */
final class IncrementalSilver {
    private static final Pattern DATE = Pattern.compile("/date=(\\d{4}-\\d{2}-\\d{2})/");

    private IncrementalSilver() {}

    /** The run's report, and whether it changed anything (else no run record is written). */
    record Outcome(JobReport.Builder report, boolean changed) {}

    static Outcome run(SilverConfig config, SparkSession spark, LakeFiles files, String bronzeUri, String silverUri,
                       String quarantineUri, List<LakeLayout.Entry> bronzeParts, Set<String> folded) {
        List<String> fresh = bronzeParts.stream().map(LakeLayout.Entry::path).filter(p -> !folded.contains(p)).toList();
        JobReport.Builder summary = JobReport.start(SilverJob.NAME).put("mode", "incremental").put("new_parts", (long) fresh.size());
        if (fresh.isEmpty()) {
            return new Outcome(summary.put(JobReport.ROWS_IN, 0L).put(JobReport.ROWS_OUT, 0L)
                    .put(JobReport.FILES_WRITTEN, 0L).put("unchanged", true), false);
        }
        StepTimes steps = new StepTimes();
        Dataset<Row> newEvents = spark.read().option("basePath", bronzeUri).parquet(fresh.toArray(String[]::new));
        Dataset<Row> touched = newEvents.select("operation_id").distinct().persist();
        List<Dataset<Row>> cached = new ArrayList<>(List.of(touched));
        try {
            // One pass over the new parts: their rows, the touched operations' id range (a filter Parquet's row-group
            // statistics answer, so the files of other operations, whose ids grow with time, are skipped before the
            // exact join looks at a row) and the dates the new events are on (the session's time zone is UTC).
            Row seen = newEvents.agg(count(lit(1)), functions.min("operation_id"), functions.max("operation_id"),
                    functions.collect_set(functions.to_date(col("occurred_at")))).first();
            long newRows = seen.getLong(0);
            Column inRange = col("operation_id").between(seen.get(1), seen.get(2));
            // Where the touched operations are now, and the dates their earlier events are on.
            Set<String> partitions = new TreeSet<>();
            Set<LocalDate> dates = new TreeSet<>(seen.<LocalDate>getList(3));
            steps.lap("read_new_events");
            long untouchedOperations = 0;
            if (files.exists(silverUri)) {
                Dataset<Row> silverIndex = readTable(spark, silverUri).select("operation_id", "client_id", "date", "first_event_at", "last_event_at");
                List<Row> before = silverIndex.filter(inRange).join(touched, "operation_id").collectAsList();
                for (Row r : before) {
                    partitions.add("client_id=" + r.<Long>getAs("client_id") + "/date=" + r.getAs("date"));
                    addDays(dates, r.getAs("first_event_at"), r.getAs("last_event_at"));
                }
                untouchedOperations += silverIndex.count() - before.size();
            }
            steps.lap("silver_index");
            Dataset<Row> quarantineBefore = null;
            if (files.exists(quarantineUri)) {
                quarantineBefore = readTable(spark, quarantineUri).localCheckpoint();
                cached.add(quarantineBefore);
                List<Row> before = quarantineBefore.join(touched, "operation_id").select("first_event_at", "last_event_at").collectAsList();
                for (Row r : before) {
                    addDays(dates, r.getAs(0), r.getAs(1));
                }
                untouchedOperations += quarantineBefore.count() - before.size();
            }
            steps.lap("quarantine_index");
            Set<String> bronzeDates = new TreeSet<>();
            for (LakeLayout.Entry part : bronzeParts) {
                Matcher m = DATE.matcher(part.path());
                if (m.find() && dates.contains(LocalDate.parse(m.group(1)))) {
                    bronzeDates.add(m.group(1));
                }
            }
            Dataset<Row> events = spark.read().option("basePath", bronzeUri)
                    .parquet(bronzeDates.stream().map(d -> bronzeUri + "/date=" + d + "/" + LakeLayout.PART_GLOB).toArray(String[]::new))
                    .filter(inRange)
                    .join(touched, toSeq("operation_id"), "left_semi");
            events = events.persist();
            cached.add(events);
            long eventsRead = events.count();
            steps.lap("read_touched_events");
            Dataset<Row> checked = SilverJob.foldOperations(events, config.tolerances()).persist();
            cached.add(checked);
            SilverJob.FoldTotals totals = SilverJob.FoldTotals.of(checked);
            long distinctEvents = totals.distinctEvents();
            long operations = totals.operations();
            steps.lap("fold");
            // The quarantine after this run: the touched operations' rows replaced, the others kept.
            Dataset<Row> quarantine = checked.filter(col("broken_rules").isNotNull()).select(SilverJob.quarantineColumns());
            if (quarantineBefore != null) {
                quarantine = quarantineBefore.join(touched, toSeq("operation_id"), "left_anti")
                        .select(SilverJob.quarantineColumns()).unionByName(quarantine);
            }
            quarantine = quarantine.localCheckpoint();
            long quarantined = quarantine.count();
            // The gate over all operations, as a full run would judge silver: not just the few refolded this hour.
            Map<String, Long> brokenByRule = new TreeMap<>();
            for (Row r : quarantine.select(explode(split(col("broken_rules"), ",")).as("rule")).groupBy("rule").count().collectAsList()) {
                brokenByRule.put(r.getString(0), r.getLong(1));
            }
            SilverRules.check(brokenByRule, untouchedOperations + operations, config.maxRuleShare());
            steps.lap("quarantine_and_rules");
            Dataset<Row> good = checked.filter(col("broken_rules").isNull()).drop("broken_rules");
            for (Row r : good.select("client_id", "date").distinct().collectAsList()) {
                partitions.add("client_id=" + r.getLong(0) + "/date=" + r.getAs(1));
            }
            // Each partition to rewrite: its other operations as they were, and the touched ones folded again.
            List<String> existing = partitions.stream().filter(p -> files.exists(silverUri + "/" + p)).toList();
            Dataset<Row> rewritten = good;
            if (!existing.isEmpty()) {
                Dataset<Row> others = typed(spark.read().option("basePath", silverUri)
                        .parquet(existing.stream().map(p -> silverUri + "/" + p + "/" + LakeLayout.PART_GLOB).toArray(String[]::new)))
                        .join(touched, toSeq("operation_id"), "left_anti");
                rewritten = others.unionByName(good);
            }
            // Materialised before the write replaces the partitions it was read from.
            rewritten = rewritten.localCheckpoint();
            steps.lap("partitions_to_rewrite");
            ParquetSink.WriteResult written = new ParquetSink(spark).writePartitioned(rewritten, silverUri, SilverJob.PARTITION_COLUMNS, SilverJob.PLAIN_COLUMNS);
            List<String> emptied = partitions.stream().filter(p -> !written.partitions().contains(p)).toList();
            emptied.forEach(p -> files.delete(silverUri + "/" + p));
            steps.lap("write_silver");

            SilverJob.replaceQuarantine(spark, files, quarantineUri, quarantine, quarantined, null);
            steps.lap("write_quarantine");
            brokenByRule.forEach((rule, n) -> summary.put("rule_" + rule, n));
            return new Outcome(summary
                    .put(JobReport.ROWS_IN, newRows)
                    .put("operations_refolded", operations)
                    .put("events_read", eventsRead)
                    .put("distinct_events", distinctEvents)
                    .put("duplicates_dropped", eventsRead - distinctEvents)
                    .put("bronze_dates_read", (long) bronzeDates.size())
                    .put(JobReport.ROWS_OUT, written.rows())
                    .put("quarantined", quarantined)
                    .put("partitions", (long) written.partitions().size())
                    .put("stale_partitions_removed", (long) emptied.size())
                    .put(JobReport.FILES_WRITTEN, written.files())
                    .put("bytes_written", written.bytes())
                    .put("step_seconds", steps.toMap()), true);
        } finally {
            cached.forEach(Dataset::unpersist);
        }
    }

    /** A silver-shaped table read back with its partition columns typed as silver writes them. */
    private static Dataset<Row> readTable(SparkSession spark, String uri) {
        return typed(spark.read().option("basePath", uri).parquet(uri));
    }

    /** Partition columns come back with inferred types (client_id as int): cast them to silver's. */
    private static Dataset<Row> typed(Dataset<Row> rows) {
        List<Column> columns = new ArrayList<>();
        for (String name : rows.columns()) {
            boolean partitionColumn = SilverJob.PARTITION_COLUMNS.contains(name);
            StructField field = SilverJob.CHECKED_ROW.fields()[SilverJob.CHECKED_ROW.fieldIndex(name)];
            columns.add(partitionColumn ? col(name).cast(field.dataType()).as(name) : col(name));
        }
        return rows.select(columns.toArray(Column[]::new));
    }

    private static scala.collection.Seq<String> toSeq(String column) {
        return scala.collection.JavaConverters.asScalaBuffer(List.of(column)).toSeq();
    }

    private static void addDays(Set<LocalDate> dates, Instant first, Instant last) {
        LocalDate from = first.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate to = (last == null ? first : last).atOffset(ZoneOffset.UTC).toLocalDate();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            dates.add(d);
        }
    }
}
