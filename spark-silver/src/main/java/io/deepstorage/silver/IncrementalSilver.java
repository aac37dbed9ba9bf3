package io.deepstorage.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;

import java.net.URI;
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
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A silver run over what is new: the bronze parts not in the last run's record. The operations those parts touch
 * are folded again from all of their events (the dates their earlier events live on are known from their silver or
 * quarantine row). Their rows are written as new files in the partitions they live in now, with the other rows of
 * the files that held them before (those files are then deleted); every other file stays as it was, so a partition
 * gains a file per run that adds to it until it holds more than {@code --partition-max-files} (or a full rebuild
 * runs), then it is written as one file again. Late events for old operations,
 * replays and compacted parts are new parts like any; folding is idempotent, so re-folding an operation whose events
 * did not change gives the same row.
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
        Dataset<Row> newEvents = SilverJob.readBronze(spark, bronzeUri, fresh.toArray(String[]::new));
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
            // Which files and partitions hold the touched operations' rows now, and the dates their earlier events are on.
            Map<String, Set<String>> replacedByPartition = new TreeMap<>();
            Set<LocalDate> dates = new TreeSet<>(seen.<LocalDate>getList(3));
            steps.lap("read_new_events");
            long untouchedOperations = 0;
            if (files.exists(silverUri)) {
                Dataset<Row> silver = SilverJob.readSilverShaped(spark, SilverJob.SILVER_ROW, silverUri);
                List<Row> before = touchedRows(silver, inRange, touched).collectAsList();
                for (Row r : before) {
                    replacedByPartition.computeIfAbsent("client_id=" + r.<Long>getAs("client_id") + "/date=" + r.getAs("date"),
                            p -> new TreeSet<>()).add(new Path(URI.create(r.getAs("file"))).toString());
                    addDays(dates, r.getAs("first_event_at"), r.getAs("last_event_at"));
                }
                untouchedOperations += silver.count() - before.size();
            }
            steps.lap("silver_index");
            Dataset<Row> quarantineBefore = null;
            if (files.exists(quarantineUri)) {
                quarantineBefore = SilverJob.readSilverShaped(spark, SilverJob.CHECKED_ROW, quarantineUri).localCheckpoint();
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
            Dataset<Row> events = SilverJob.readBronze(spark, bronzeUri,
                            bronzeDates.stream().map(d -> bronzeUri + "/date=" + d + "/" + LakeLayout.PART_GLOB).toArray(String[]::new))
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
            // The quarantine after this run: the touched operations' rows replaced, the others kept. With none before
            // and none broken now there is none after: no queries for it.
            Dataset<Row> quarantine = null;
            long quarantined = 0;
            Map<String, Long> brokenByRule = new TreeMap<>();
            if (quarantineBefore != null || totals.broken() > 0) {
                quarantine = checked.filter(col("broken_rules").isNotNull()).select(SilverJob.quarantineColumns());
                if (quarantineBefore != null) {
                    quarantine = quarantineBefore.join(touched, toSeq("operation_id"), "left_anti")
                            .select(SilverJob.quarantineColumns()).unionByName(quarantine);
                }
                quarantine = quarantine.localCheckpoint();
                quarantined = quarantine.count();
                for (Row r : quarantine.select(explode(split(col("broken_rules"), ",")).as("rule")).groupBy("rule").count().collectAsList()) {
                    brokenByRule.put(r.getString(0), r.getLong(1));
                }
            }
            // The gate over all operations, as a full run would judge silver: not just the few refolded this hour.
            SilverRules.check(brokenByRule, untouchedOperations + operations, config.maxRuleShare());
            steps.lap("quarantine_and_rules");
            // The touched operations folded again go into new files, beside the others' rows kept from the files that
            // held a touched operation; those files are deleted once the new ones are committed. Files holding none
            // stay as they are, so a run's cost follows its new events, not the size of the partitions they land in.
            // Kept rows are taken once per operation: a run that failed between its write and its deletes left them
            // in two files, and redoing it (no run record was written) replaces both.
            Dataset<Row> rewritten = checked.filter(col("broken_rules").isNull()).drop("broken_rules");
            Set<String> replacedFiles = new TreeSet<>();
            replacedByPartition.values().forEach(replacedFiles::addAll);
            if (!replacedFiles.isEmpty()) {
                Dataset<Row> kept = SilverJob.readSilverShaped(spark, SilverJob.SILVER_ROW, silverUri, replacedFiles.toArray(String[]::new))
                        .join(touched, toSeq("operation_id"), "left_anti")
                        .dropDuplicates("operation_id");
                rewritten = kept.unionByName(rewritten);
            }
            ParquetSink.WriteResult written = new ParquetSink(spark).writeAppended(rewritten, silverUri, SilverJob.PARTITION_COLUMNS, SilverJob.PLAIN_COLUMNS);
            // A partition an operation moved out of, left with nothing else, is removed whole (deleting its last file
            // alone would leave S3A's marker for the emptied folder behind).
            List<String> emptied = new ArrayList<>();
            replacedByPartition.forEach((partition, replaced) -> {
                boolean nothingElse = !written.partitions().contains(partition) && files.committedParts(silverUri + "/" + partition)
                        .stream().allMatch(f -> replaced.contains(f.path()));
                if (nothingElse) {
                    emptied.add(partition);
                    files.delete(silverUri + "/" + partition);
                } else {
                    replaced.forEach(files::delete);
                }
            });
            steps.lap("write_silver");
            // A partition now holding more than --partition-max-files files is written whole again as one, so the
            // index scan (a footer per file) and silver's readers stay cheap however many runs added to it.
            List<String> crowded = written.partitions().stream()
                    .filter(p -> files.committedParts(silverUri + "/" + p).size() > config.partitionMaxFiles()).toList();
            long compactedFiles = 0;
            long compactedBytes = 0;
            if (!crowded.isEmpty()) {
                // Materialised before the write replaces the partitions it was read from.
                Dataset<Row> whole = SilverJob.readSilverShaped(spark, SilverJob.SILVER_ROW, silverUri,
                        crowded.stream().map(p -> silverUri + "/" + p + "/" + LakeLayout.PART_GLOB).toArray(String[]::new)).localCheckpoint();
                ParquetSink.WriteResult compacted = new ParquetSink(spark).writePartitioned(whole, silverUri,
                        SilverJob.PARTITION_COLUMNS, SilverJob.PLAIN_COLUMNS);
                whole.unpersist();
                compactedFiles = compacted.files();
                compactedBytes = compacted.bytes();
            }
            steps.lap("compact_partitions");

            if (quarantine != null) {
                SilverJob.replaceQuarantine(spark, files, quarantineUri, quarantine, quarantined, null);
            }
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
                    .put("files_replaced", (long) replacedFiles.size())
                    .put("quarantined", quarantined)
                    .put("partitions", (long) written.partitions().size())
                    .put("stale_partitions_removed", (long) emptied.size())
                    .put("partitions_compacted", (long) crowded.size())
                    .put(JobReport.FILES_WRITTEN, written.files() + compactedFiles)
                    .put("bytes_written", written.bytes() + compactedBytes)
                    .put("step_seconds", steps.toMap()), true);
        } finally {
            cached.forEach(Dataset::unpersist);
        }
    }

    /**
     * The silver rows of the touched operations, with the file each is in. Filtered to the id range before the file
     * name is taken: a filter above input_file_name() (non-deterministic) does not reach the scan, and Parquet would
     * read every row group instead of skipping those outside the range by their statistics.
     */
    static Dataset<Row> touchedRows(Dataset<Row> silver, Column inRange, Dataset<Row> touched) {
        return silver.filter(inRange)
                .select(col("operation_id"), col("client_id"), col("date"), col("first_event_at"), col("last_event_at"),
                        functions.input_file_name().as("file"))
                .join(touched, "operation_id");
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
