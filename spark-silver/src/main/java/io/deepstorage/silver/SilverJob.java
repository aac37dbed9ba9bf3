package io.deepstorage.silver;

import static org.apache.spark.sql.functions.min;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.StopExecution;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.ParquetSink;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * bronze/events → silver/stop_executions: one row per operation, folded from all its events in commit order
 * ({@link OperationFold}), partitioned by client_id and date, written so that a re-run changes nothing.
 */
public final class SilverJob {
    public static final String NAME = "silver";
    static final List<String> PARTITION_COLUMNS = List.of("client_id", "date");
    /** bronze/events/date=…/part-*.parquet */
    private static final int BRONZE_PARTITION_DEPTH = 1;
    /** StopExecution's columns, then the date partition (client_id is already one of them). */
    static final StructType SILVER_ROW = AvroRows.structOf(Schemas.stopExecution(),
            DataTypes.createStructField("date", DataTypes.DateType, false));

    private SilverJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return JobLauncher.launch(NAME, "Folds bronze/events into silver/stop_executions (one row per operation).",
                args, env, List.of(), cli -> null, (none, lake, spark) -> build(lake, spark), out, err);
    }

    static JobReport.Builder build(LakeConfig lake, SparkSession spark) {
        JobReport.Builder summary = JobReport.start(NAME);
        String bronzeUri = lake.resolve(LakeLayout.BRONZE_EVENTS);
        String silverUri = lake.resolve(LakeLayout.SILVER_STOP_EXECUTIONS);

        Dataset<Row> bronze = readBronze(spark, bronzeUri).persist();
        try {
            long rowsIn = bronze.count();
            long distinctEvents = bronze.select("event_id").distinct().count();
            ParquetSink.WriteResult written = new ParquetSink(spark)
                    .writePartitioned(foldOperations(bronze), silverUri, PARTITION_COLUMNS);
            LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());
            Instant earliestEvent = bronze.agg(min("occurred_at")).first().getAs(0);
            List<String> stale = StalePartitions.find(files.partitionDirs(silverUri, PARTITION_COLUMNS.size()),
                    written.partitions(), earliestEvent.atOffset(ZoneOffset.UTC).toLocalDate());
            stale.forEach(partition -> files.delete(silverUri + "/" + partition));
            return summary
                    .put(JobReport.ROWS_IN, rowsIn)
                    .put("distinct_events", distinctEvents)
                    .put("duplicates_dropped", rowsIn - distinctEvents)
                    .put(JobReport.ROWS_OUT, written.rows())
                    .put("partitions", written.partitions().size())
                    .put("stale_partitions_removed", stale.size())
                    .put(JobReport.FILES_WRITTEN, written.files())
                    .put("bytes_written", written.bytes());
        } finally {
            bronze.unpersist();
        }
    }

    /** Committed bronze parts only ({@link LakeLayout#partGlob}); in-progress and hidden files are never read. */
    static Dataset<Row> readBronze(SparkSession spark, String bronzeUri) {
        if (new LakeFiles(spark.sparkContext().hadoopConfiguration()).committedParts(bronzeUri).isEmpty()) {
            throw new JobFailedException("no committed bronze files (part-*.parquet) under " + bronzeUri);
        }
        return spark.read()
                .option("basePath", bronzeUri)
                .parquet(LakeLayout.partGlob(bronzeUri, BRONZE_PARTITION_DEPTH));
    }

    /** One silver row per operation_id; the fold itself is the pure {@link OperationFold}. */
    static Dataset<Row> foldOperations(Dataset<Row> bronze) {
        return bronze
                .groupByKey((MapFunction<Row, Long>) row -> row.<Long>getAs("operation_id"), Encoders.LONG())
                .mapGroups((MapGroupsFunction<Long, Row, Row>) (operationId, rows) -> toSilverRow(rows),
                        Encoders.row(SILVER_ROW));
    }

    private static Row toSilverRow(Iterator<Row> rows) {
        List<BronzeRecord> records = new ArrayList<>();
        rows.forEachRemaining(row -> records.add(BronzeRows.toRecord(row)));
        StopExecution folded = OperationFold.fold(records);
        return AvroRows.toRow(folded, OperationFold.partitionDate(folded));
    }
}
