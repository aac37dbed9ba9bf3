package io.deepstorage.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession the lake jobs use.
 *
 * <p>Committers: Spark's dynamic partition overwrite needs a committer that declares
 * {@code mapreduce.job.committer.dynamic.partitioning}; the S3A committers do not (PathOutputCommitProtocol rejects
 * the combination). So on s3a the S3A <em>partitioned</em> staging committer with {@code conflict-mode=replace} does
 * the same job: at commit it replaces exactly the partitions the job wrote, and the data is appended by Spark.
 * On {@code file:} the default committer is used with {@code partitionOverwriteMode=dynamic}.
 * {@link ParquetSink} picks the matching save mode. The S3A connection settings themselves come from job-cli's
 * {@link io.deepstorage.cli.LakeEndpoint}, shared with every engine.
 */
public final class LakeSpark {
    private LakeSpark() {}

    /** Creates (or joins, in tests) the session; sets the master only when spark-submit has not. */
    public static SparkSession session(LakeConfig lake, String appName) {
        return session(lake, appName, Map.of());
    }

    /** {@link #session(LakeConfig, String)} with the job's own tuning, {@link #jobSettings}. */
    public static SparkSession session(LakeConfig lake, String appName, Map<String, String> tuning) {
        SparkConf fromSubmit = new SparkConf(true);
        String master = fromSubmit.contains("spark.master") ? fromSubmit.get("spark.master") : lake.master();
        SparkSession.Builder builder = SparkSession.builder().appName(appName).master(master);
        settings(lake, master).forEach(builder::config);
        jobSettings(tuning, fromSubmit::contains).forEach(builder::config);
        return builder.getOrCreate();
    }

    /**
     * A job's own tuning (measured for that job, such as gold's memory fraction), each setting unless spark-submit's
     * --conf (or a spark.* system property) already gives it: an operator can still change it without a rebuild.
     */
    static Map<String, String> jobSettings(Map<String, String> tuning, Predicate<String> submitted) {
        Map<String, String> conf = new LinkedHashMap<>();
        tuning.forEach((key, value) -> {
            if (!submitted.test(key)) {
                conf.put(key, value);
            }
        });
        return conf;
    }

    /** Every setting the session gets, so they can be checked without starting Spark. Holds the S3 keys. */
    public static Map<String, String> settings(LakeConfig lake, String master) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.sql.session.timeZone", "UTC");
        // Instants and LocalDates in Rows: the pure Java code works with java.time, never java.sql.
        conf.put("spark.sql.datetime.java8API.enabled", "true");
        // Same physical type as the Avro timestamp-micros the schemas declare (Spark's default is INT96).
        conf.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // On file: this is what replaces the written partitions; on s3a an Overwrite of a partitioned table
        // fails loudly (see class comment) instead of wiping the table.
        conf.put("spark.sql.sources.partitionOverwriteMode", "dynamic");
        // The jobs cache a table only to read it a few times in the same run. Compressing the cache costs more than
        // it saves: its per-column statistics (a dictionary per string column) were a tenth of the jobs' CPU, and the
        // columns that take the room (event ids) do not compress.
        conf.put("spark.sql.inMemoryColumnarStorage.compressed", "false");
        if (master.startsWith("local")) {
            conf.put("spark.ui.enabled", "false");
            conf.put("spark.sql.shuffle.partitions", "8");
        }
        if (lake.isS3()) {
            String h = "spark.hadoop.";
            lake.hadoopSettings().forEach((key, value) -> conf.put(h + key, value));
            conf.put(h + "mapreduce.outputcommitter.factory.scheme.s3a", "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
            conf.put(h + "fs.s3a.committer.name", "partitioned");
            conf.put(h + "fs.s3a.committer.staging.conflict-mode", "replace");
            conf.put(h + "fs.s3a.committer.staging.unique-filenames", "true");
            // The staging committer keeps task pending-commit files on the cluster filesystem; the default
            // relative "tmp/staging" would land in the working directory.
            conf.put(h + "fs.s3a.committer.staging.tmp.path",
                    "file://" + System.getProperty("java.io.tmpdir") + "/s3a-staging");
            conf.put("spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
            conf.put("spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
        }
        return conf;
    }
}
