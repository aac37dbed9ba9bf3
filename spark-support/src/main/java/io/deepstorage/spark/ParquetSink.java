package io.deepstorage.spark;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.deepstorage.schemas.LakeLayout;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Writes Parquet tables and reports what was committed. */
public final class ParquetSink {
    private final SparkSession spark;

    public ParquetSink(SparkSession spark) {
        this.spark = spark;
    }

    /** The Parquet codec of {@link #writeWhole} tables. */
    static final String WHOLE_TABLE_CODEC = "zstd";

    /** What one write committed: rows, partition directories, and part files counted from the committed output. */
    public record WriteResult(long rows, List<String> partitions, long files, long bytes) {}

    /**
     * Replaces exactly the partitions present in {@code rows} and leaves every other partition alone, so a re-run
     * over the same input changes nothing. On s3a the partitioned committer (conflict-mode=replace) does the
     * replacing and Spark appends; on file: Spark's dynamic partition overwrite does it (see {@link LakeSpark}).
     * {@code rows} is computed twice (its rows per partition, then the write) and not cached here: pass rows that
     * are cheap to compute again (cached, checkpointed or read from files), since building another in-memory copy of
     * a large table costs more than reading the copy the caller already has.
     */
    public WriteResult writePartitioned(Dataset<Row> rows, String tableUri, List<String> partitionColumns) {
        return writePartitioned(rows, tableUri, partitionColumns, List.of());
    }

    /**
     * {@link #writePartitioned(Dataset, String, List)}, with {@code plainColumns} (Parquet column paths, e.g.
     * {@code ids.list.element} for an array's items) written without a dictionary: for columns whose values are
     * (nearly) all distinct a dictionary only costs hash lookups until it overflows and falls back to plain anyway.
     */
    public WriteResult writePartitioned(Dataset<Row> rows, String tableUri, List<String> partitionColumns,
                                        List<String> plainColumns) {
        return write(rows, tableUri, partitionColumns, plainColumns, false);
    }

    /**
     * Adds {@code rows} to the table as new part files, one per partition present in {@code rows}, and leaves every
     * file already there as it was (the caller deletes what the new files replace, once they are committed). On s3a
     * the partitioned committer appends (conflict-mode=append for this write only); on file: Spark appends. The
     * result counts only the files this write added. {@code rows} is computed twice, as for {@link #writePartitioned}.
     */
    public WriteResult writeAppended(Dataset<Row> rows, String tableUri, List<String> partitionColumns,
                                     List<String> plainColumns) {
        return write(rows, tableUri, partitionColumns, plainColumns, true);
    }

    private WriteResult write(Dataset<Row> rows, String tableUri, List<String> partitionColumns, List<String> plainColumns,
                              boolean append) {
        Column[] keys = partitionColumns.stream().map(functions::col).toArray(Column[]::new);
        long count = 0;
        TreeSet<String> partitions = new TreeSet<>();
        for (Row key : rows.groupBy(keys).count().collectAsList()) {
            StringBuilder dir = new StringBuilder();
            for (int i = 0; i < partitionColumns.size(); i++) {
                dir.append(i == 0 ? "" : "/").append(partitionColumns.get(i)).append('=').append(key.get(i));
            }
            partitions.add(dir.toString());
            count += key.getLong(partitionColumns.size());
        }
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());
        Set<String> before = new HashSet<>();
        if (append) {
            partitions.forEach(p -> files.committedParts(tableUri + "/" + p).forEach(f -> before.add(f.path())));
        }
        boolean s3 = tableUri.startsWith("s3a:");
        SaveMode mode = append || s3 ? SaveMode.Append : SaveMode.Overwrite;
        // One task per partition value: one file per partition instead of one per (task, partition).
        var writer = rows.repartition(keys).write().mode(mode).partitionBy(partitionColumns.toArray(String[]::new));
        if (append && s3) {
            writer = writer.option("fs.s3a.committer.staging.conflict-mode", "append");
        }
        for (String column : plainColumns) {
            writer = writer.option("parquet.enable.dictionary#" + column, "false");
        }
        writer.parquet(tableUri);
        long fileCount = 0;
        long bytes = 0;
        for (String partition : partitions) {
            for (LakeLayout.Entry f : files.committedParts(tableUri + "/" + partition)) {
                if (!before.contains(f.path())) {
                    fileCount++;
                    bytes += f.size();
                }
            }
        }
        return new WriteResult(count, List.copyOf(partitions), fileCount, bytes);
    }

    /**
     * Replaces the whole directory {@code uri} with {@code rows} (an unpartitioned table) in a single file, in
     * {@code orderColumns} order: the tables written this way (training sets) are read whole, and one file in row
     * order reads back the same everywhere. One task computes the rows and writes the file, so {@code rows} should be
     * cheap to read (cached); callers with several such tables write them concurrently (from threads of their own) to
     * keep the other cores busy.
     */
    public WriteResult writeWhole(Dataset<Row> rows, String uri, String... orderColumns) {
        return writeWhole(rows, uri, List.of(), orderColumns);
    }

    /** {@link #writeWhole(Dataset, String, String...)} with {@code plainColumns} as in {@link #writePartitioned(Dataset, String, List, List)}. */
    public WriteResult writeWhole(Dataset<Row> rows, String uri, List<String> plainColumns, String... orderColumns) {
        // Not cached: the rows are computed twice (count, write) from what the caller holds, which is cheaper than
        // building another in-memory copy for one write.
        return writeWhole(rows, rows.count(), uri, plainColumns, orderColumns);
    }

    /**
     * {@link #writeWhole(Dataset, String, List, String...)} of rows whose number the caller already knows (gold's split
     * tally counted them), so they are computed once, for the write.
     */
    public WriteResult writeWhole(Dataset<Row> rows, long count, String uri, List<String> plainColumns, String... orderColumns) {
        // One partition sorted in place, not a global sort coalesced to one: that would first sample the rows for
        // range bounds (another pass) only to merge the ranges back into one task. Coalesced, not repartitioned:
        // the one task reads the rows itself instead of every row going through a shuffle file first; so what
        // computes the rows runs in that task too, and a caller passes rows that are cheap to read (cached).
        Dataset<Row> oneFile = rows.coalesce(1);
        if (orderColumns.length > 0) {
            oneFile = oneFile.sortWithinPartitions(Arrays.stream(orderColumns).map(functions::col).toArray(Column[]::new));
        }
        // zstd, not Spark's snappy: these tables are read whole and downloaded, and snappy (no entropy coding) hardly
        // shrinks their random hex ids. At 10M gold's sets are 39 % smaller (877 → 537 MB) for the same CPU; level 1
        // is as small there as the default 3 and cheaper to write.
        var writer = oneFile.write().mode(SaveMode.Overwrite).option("compression", WHOLE_TABLE_CODEC)
                .option("parquet.compression.codec.zstd.level", "1");
        for (String column : plainColumns) {
            writer = writer.option("parquet.enable.dictionary#" + column, "false");
        }
        writer.parquet(uri);
        List<LakeLayout.Entry> parts = new LakeFiles(spark.sparkContext().hadoopConfiguration()).committedParts(uri);
        return new WriteResult(count, List.of(), parts.size(), parts.stream().mapToLong(LakeLayout.Entry::size).sum());
    }
}
