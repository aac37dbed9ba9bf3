package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedSparkLake.class)
class ParquetSinkIT {
    private final SparkLake lake;
    private final SparkSession spark;

    ParquetSinkIT(SparkLake lake) {
        this.lake = lake;
        this.spark = lake.spark();
    }

    private Dataset<Row> rows(String... pairs) {
        // "p:v" → partition p, value v
        return spark.createDataset(List.of(pairs), Encoders.STRING()).toDF("pair")
                .selectExpr("split(pair, ':')[0] as p", "split(pair, ':')[1] as v");
    }

    /** The part files the S3 server holds under a table, found by walking its folder on disk: "p=a/part-….parquet". */
    private List<Path> partFilesOnDisk(String tableUri) {
        Path dir = lake.localDir(tableUri);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().startsWith("part-") && f.getFileName().toString().endsWith(".parquet"))
                    .map(dir::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long bytesOnDisk(String tableUri) {
        Path dir = lake.localDir(tableUri);
        return partFilesOnDisk(tableUri).stream().mapToLong(f -> {
            try {
                return Files.size(dir.resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }

    @Test
    void plain_columns_are_written_without_a_dictionary_and_the_others_keep_theirs() throws IOException {
        String table = lake.newLake("sink-plain") + "/table";
        // Few distinct values in both columns, so Parquet would keep a dictionary for each (for all-distinct values
        // it gives the dictionary up after the first page, which is what the option saves).
        Dataset<Row> rows = spark.range(2000).selectExpr("'a' as p", "cast(id % 3 as string) as v",
                "array(cast(id % 5 as string), cast(id % 7 as string)) as ids");
        new ParquetSink(spark).writePartitioned(rows, table, List.of("p"), List.of("ids.list.element"));
        Path file = lake.localDir(table).resolve(partFilesOnDisk(table).get(0));
        java.util.Map<String, java.util.Set<org.apache.parquet.column.Encoding>> encodings = new java.util.HashMap<>();
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(org.apache.parquet.hadoop.util.HadoopInputFile
                .fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.conf.Configuration()))) {
            for (var block : reader.getFooter().getBlocks()) {
                for (var column : block.getColumns()) {
                    encodings.computeIfAbsent(column.getPath().toDotString(), k -> new java.util.HashSet<>()).addAll(column.getEncodings());
                }
            }
        }
        assertThat(encodings.get("ids.list.element")).noneMatch(org.apache.parquet.column.Encoding::usesDictionary);
        assertThat(encodings.get("v")).anyMatch(org.apache.parquet.column.Encoding::usesDictionary);
    }

    @Test
    void writing_over_s3a_replaces_only_the_partitions_written_and_counts_the_committed_files() {
        String table = lake.newLake("sink") + "/table";
        ParquetSink sink = new ParquetSink(spark);

        ParquetSink.WriteResult first = sink.writePartitioned(rows("a:1", "a:2", "b:3"), table, List.of("p"));
        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.partitions()).containsExactly("p=a", "p=b");
        assertThat(partFilesOnDisk(table)).as("one file per partition").hasSize(2)
                .extracting(f -> f.getParent().toString()).containsExactly("p=a", "p=b");
        assertThat(first.files()).isEqualTo(2);
        assertThat(first.bytes()).isEqualTo(bytesOnDisk(table));

        ParquetSink.WriteResult second = sink.writePartitioned(rows("a:9"), table, List.of("p"));
        assertThat(second.partitions()).containsExactly("p=a");
        assertThat(partFilesOnDisk(table)).as("p=a replaced, p=b kept").hasSize(2)
                .extracting(f -> f.getParent().toString()).containsExactly("p=a", "p=b");
        assertThat(second.files()).as("only the partition written is counted").isEqualTo(1);

        List<String> stored = spark.read().parquet(table).orderBy("p", "v")
                .selectExpr("concat(p, ':', v)").as(Encoders.STRING()).collectAsList();
        assertThat(stored).containsExactly("a:9", "b:3");
    }

    @Test
    void appending_on_s3a_and_on_a_local_folder_keeps_the_files_there_and_counts_only_the_new_ones(@TempDir Path local) {
        for (String table : List.of(lake.newLake("append") + "/table", local.toUri() + "table")) {
            ParquetSink sink = new ParquetSink(spark);
            sink.writePartitioned(rows("a:1", "b:2"), table, List.of("p"));
            List<LakeLayout.Entry> before = new LakeFiles(spark.sparkContext().hadoopConfiguration()).committedParts(table);

            ParquetSink.WriteResult appended = sink.writeAppended(rows("a:3", "a:4"), table, List.of("p"), List.of());
            assertThat(appended.rows()).as(table).isEqualTo(2);
            assertThat(appended.partitions()).as(table).containsExactly("p=a");
            assertThat(appended.files()).as(table + ": the new file only").isEqualTo(1);
            List<LakeLayout.Entry> after = new LakeFiles(spark.sparkContext().hadoopConfiguration()).committedParts(table);
            assertThat(after).as(table + ": every file kept, one added").hasSize(3).containsAll(before);
            assertThat(appended.bytes()).isEqualTo(after.stream().filter(f -> !before.contains(f)).mapToLong(LakeLayout.Entry::size).sum());
            List<String> stored = spark.read().parquet(table).orderBy("p", "v")
                    .selectExpr("concat(p, ':', v)").as(Encoders.STRING()).collectAsList();
            assertThat(stored).as(table).containsExactly("a:1", "a:3", "a:4", "b:2");
        }
    }

    @Test
    void writing_a_whole_table_twice_keeps_only_the_second_write_in_one_file() {
        String table = lake.newLake("whole") + "/t";
        ParquetSink sink = new ParquetSink(spark);
        sink.writeWhole(rows("x:1", "x:2"), table);
        ParquetSink.WriteResult second = sink.writeWhole(rows("y:3"), table);
        assertThat(second.rows()).isEqualTo(1);
        assertThat(partFilesOnDisk(table)).as("the first write's file is gone").hasSize(1)
                .allSatisfy(f -> assertThat(f.getParent()).as("directly in the table folder").isNull());
        assertThat(second.files()).isEqualTo(1);
        assertThat(second.bytes()).isEqualTo(bytesOnDisk(table));
        assertThat(spark.read().parquet(table).count()).isEqualTo(1);
    }

    @Test
    void a_whole_table_is_compressed_with_zstd_and_a_partitioned_one_keeps_sparks_codec() throws IOException {
        String whole = lake.newLake("zstd") + "/t";
        new ParquetSink(spark).writeWhole(rows("x:1", "x:2"), whole);
        assertThat(codecsOf(whole)).containsExactly(org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD);
        String partitioned = lake.newLake("snappy") + "/t";
        new ParquetSink(spark).writePartitioned(rows("x:1", "y:2"), partitioned, List.of("p"));
        assertThat(codecsOf(partitioned)).containsExactly(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY);
    }

    private java.util.Set<org.apache.parquet.hadoop.metadata.CompressionCodecName> codecsOf(String table) throws IOException {
        java.util.Set<org.apache.parquet.hadoop.metadata.CompressionCodecName> codecs = new java.util.HashSet<>();
        for (Path part : partFilesOnDisk(table)) {
            Path file = lake.localDir(table).resolve(part);
            try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(org.apache.parquet.hadoop.util.HadoopInputFile
                    .fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.conf.Configuration()))) {
                reader.getFooter().getBlocks().forEach(b -> b.getColumns().forEach(c -> codecs.add(c.getCodec())));
            }
        }
        return codecs;
    }

    @Test
    void a_whole_table_is_written_in_the_order_asked_for() {
        String table = lake.newLake("ordered") + "/t";
        // Spread over several input partitions, in no order.
        Dataset<Row> shuffled = rows("b:2", "a:9", "c:1", "a:3", "b:1", "c:7", "a:1").repartition(3);
        ParquetSink.WriteResult written = new ParquetSink(spark).writeWhole(shuffled, table, "p", "v");
        assertThat(written.files()).isEqualTo(1);
        // One file, one task reading it: the rows as they lie in the file.
        List<String> stored = spark.read().parquet(table).selectExpr("concat(p, ':', v)").as(Encoders.STRING()).collectAsList();
        assertThat(stored).containsExactly("a:1", "a:3", "a:9", "b:1", "b:2", "c:1", "c:7");
    }
}
