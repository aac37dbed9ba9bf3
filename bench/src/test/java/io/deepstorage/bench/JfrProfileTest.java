package io.deepstorage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JfrProfileTest {
    @Test
    void aFingerprintComputedInsideTheDedupOperatorCountsAsFingerprintingNotAsState() {
        List<String> stack = List.of("sun.security.provider.SHA2.implCompress0", "java.security.MessageDigest.digest",
                "io.deepstorage.bronze.OutboxChangeToBronze.contentFingerprint",
                "io.deepstorage.bronze.DropDuplicateEvents.processElement",
                "org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend.setCurrentKey",
                "org.apache.flink.streaming.runtime.tasks.StreamTask.invoke");
        assertThat(JfrProfile.stageOf(stack)).isEqualTo("fingerprint (SHA-256 of the content)");
    }

    @Test
    void parquetEncodingInTheSinkIsParquetAndItsUploadIsS3() {
        assertThat(JfrProfile.stageOf(List.of("org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder.writeInt",
                "org.apache.parquet.avro.AvroWriteSupport.write", "org.apache.flink.streaming.runtime.tasks.StreamTask.invoke")))
                .isEqualTo("Avro → Parquet (sink writer)");
        assertThat(JfrProfile.stageOf(List.of("java.net.SocketOutputStream.write", "org.apache.http.impl.io.SessionOutputBufferImpl.write",
                "org.apache.hadoop.fs.s3a.S3ABlockOutputStream.close", "org.apache.parquet.hadoop.ParquetFileWriter.end")))
                .isEqualTo("S3 upload (s3a, AWS SDK, HTTP)");
    }

    @Test
    void aStackOfNothingItKnowsIsOther() {
        assertThat(JfrProfile.stageOf(List.of("java.lang.Thread.run"))).isEqualTo(JfrProfile.OTHER);
        assertThat(JfrProfile.stageOf(List.of("io.debezium.connector.postgresql.PostgresValueConverter.convert",
                "org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceSplitReader.fetch")))
                .isEqualTo("decoding (Debezium, PgJDBC, Kafka Connect)");
    }

    @Test
    void sharesAreLargestFirstAndCapped() {
        assertThat(JfrProfile.shares(Map.of("a", 1L, "b", 3L, "c", 6L), 10, 2)).containsExactly(Map.entry("c", 0.6), Map.entry("b", 0.3));
    }
}
