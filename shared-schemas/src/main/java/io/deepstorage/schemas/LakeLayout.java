package io.deepstorage.schemas;

/**
 * Where each layer lives inside the lake bucket. Flink, Spark, the local runner and the tests all resolve
 * paths through here so the layout is written down once.
 */
public final class LakeLayout {
    public static final String BRONZE_EVENTS = "bronze/events";
    public static final String BRONZE_DEAD_LETTERS = "bronze/_dlq";
    public static final String SILVER_STOP_EXECUTIONS = "silver/stop_executions";
    public static final String GOLD_TRAINING_SETS = "gold/training_sets";
    public static final String FLINK_CHECKPOINTS = "flink/checkpoints";
    public static final String FLINK_SAVEPOINTS = "flink/savepoints";

    /** Committed FileSink parts are named part-*.parquet; in-progress ones are hidden or multipart-only. */
    public static final String PART_PREFIX = "part";
    public static final String PART_SUFFIX = ".parquet";

    private LakeLayout() {}

    /** {@code s3://bucket/prefix} for a layer, with the scheme a given engine uses ("s3" for Flink, "s3a" for Spark). */
    public static String uri(String scheme, String bucket, String layerPath) {
        return scheme + "://" + bucket + "/" + layerPath;
    }

    public static String goldTrainingSet(String name, String version) {
        return GOLD_TRAINING_SETS + "/" + name + "/v" + version;
    }

    public static boolean isCommittedPart(String fileName) {
        return fileName.startsWith(PART_PREFIX) && fileName.endsWith(PART_SUFFIX);
    }
}
