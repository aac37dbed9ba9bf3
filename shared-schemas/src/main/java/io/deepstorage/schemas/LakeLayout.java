package io.deepstorage.schemas;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where each layer lives inside the lake bucket. Flink, Spark, the local runner and the tests all resolve
 * paths through here so the layout is written down once.
 */
public final class LakeLayout {
    public static final String BRONZE_EVENTS = "bronze/events";
    public static final String BRONZE_DEAD_LETTERS = "bronze/_dlq";
    public static final String SILVER_STOP_EXECUTIONS = "silver/stop_executions";
    /** Silver rows that broke a data-quality rule, by date, with the rules' names; never read by gold. */
    public static final String SILVER_QUARANTINE = "silver/_quarantine/stop_executions";
    /** One record per successful silver run: the bronze parts it had folded (incremental runs fold the rest). */
    public static final String SILVER_RUNS = "silver/_runs";
    public static final String GOLD_TRAINING_SETS = "gold/training_sets";
    public static final String FLINK_CHECKPOINTS = "flink/checkpoints";
    public static final String FLINK_SAVEPOINTS = "flink/savepoints";

    /** Committed FileSink parts are named part-*.parquet; in-progress ones are hidden or multipart-only. */
    public static final String PART_PREFIX = "part";
    public static final String PART_SUFFIX = ".parquet";
    /** The file-name glob of committed parts, for readers that take globs (Spark, DuckDB). */
    public static final String PART_GLOB = PART_PREFIX + "*" + PART_SUFFIX;

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

    /**
     * The glob of every committed part of a layer whose files sit {@code partitionDepth} partition folders deep:
     * bronze (date=) is 1, silver (client_id=/date=) 2, a gold split 0.
     */
    public static String partGlob(String layerUri, int partitionDepth) {
        return layerUri + "/*".repeat(partitionDepth) + "/" + PART_GLOB;
    }

    /** One entry of a folder listing, as any filesystem (Flink's, Hadoop's, local) reports it. */
    public record Entry(String path, String name, boolean isDirectory, long size) {}

    /** Lists one folder; a missing folder lists as empty. */
    @FunctionalInterface
    public interface Listing {
        List<Entry> list(String dir) throws IOException;
    }

    /**
     * The one committed-part lister: every part-*.parquet below {@code root}, recursively, sorted by path. Folders
     * whose name starts with _ or . (Spark's _temporary and .spark-staging-*, other layers' _runs) are never entered.
     */
    public static List<Entry> committedParts(String root, Listing fs) throws IOException {
        List<Entry> parts = new ArrayList<>();
        collect(root, fs, parts);
        parts.sort(Comparator.comparing(Entry::path));
        return parts;
    }

    private static void collect(String dir, Listing fs, List<Entry> parts) throws IOException {
        for (Entry e : fs.list(dir)) {
            if (e.isDirectory()) {
                if (!e.name().startsWith("_") && !e.name().startsWith(".")) {
                    collect(e.path(), fs, parts);
                }
            } else if (isCommittedPart(e.name())) {
                parts.add(e);
            }
        }
    }
}
