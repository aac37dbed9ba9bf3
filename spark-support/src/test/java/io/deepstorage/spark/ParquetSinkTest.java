package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSparkLake.class)
class ParquetSinkTest {
    private final SparkLake lake;
    private final SparkSession spark;

    ParquetSinkTest(SparkLake lake) {
        this.lake = lake;
        this.spark = lake.spark();
    }

    private Dataset<Row> rows(String... pairs) {
        // "p:v" → partition p, value v
        return spark.createDataset(List.of(pairs), Encoders.STRING()).toDF("pair")
                .selectExpr("split(pair, ':')[0] as p", "split(pair, ':')[1] as v");
    }

    @Test
    void writing_over_s3a_replaces_only_the_partitions_written_and_counts_the_committed_files() {
        String table = lake.newLake("sink") + "/table";
        ParquetSink sink = new ParquetSink(spark);

        ParquetSink.WriteResult first = sink.writePartitioned(rows("a:1", "a:2", "b:3"), table, List.of("p"));
        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.partitions()).containsExactly("p=a", "p=b");
        assertThat(first.files()).isGreaterThanOrEqualTo(2);

        ParquetSink.WriteResult second = sink.writePartitioned(rows("a:9"), table, List.of("p"));
        assertThat(second.partitions()).containsExactly("p=a");
        assertThat(second.files()).isEqualTo(1);

        List<String> stored = spark.read().parquet(table).orderBy("p", "v")
                .selectExpr("concat(p, ':', v)").as(Encoders.STRING()).collectAsList();
        assertThat(stored).containsExactly("a:9", "b:3");
    }

    @Test
    void writing_a_whole_table_twice_keeps_only_the_second_write() {
        String table = lake.newLake("whole") + "/t";
        ParquetSink sink = new ParquetSink(spark);
        sink.writeWhole(rows("x:1", "x:2"), table);
        ParquetSink.WriteResult second = sink.writeWhole(rows("y:3"), table);
        assertThat(second.rows()).isEqualTo(1);
        assertThat(second.files()).isEqualTo(new LakeFiles(spark.sparkContext().hadoopConfiguration()).committedParts(table).size());
        assertThat(spark.read().parquet(table).count()).isEqualTo(1);
    }
}
