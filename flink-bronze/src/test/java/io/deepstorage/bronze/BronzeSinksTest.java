package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.Schemas;

class BronzeSinksTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void columnsWhoseValuesDoNotRepeatAreWrittenWithoutADictionaryAndTheOthersWithOne() throws Exception {
        java.nio.file.Path file = dir.resolve("part.parquet");
        BulkWriter.Factory<BronzeEvent> factory = BronzeSinks.parquet(BronzeEvent.class, Schemas.BRONZE_EVENT_PLAIN_COLUMNS);
        Path path = new Path(file.toUri());
        try (FSDataOutputStream out = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE)) {
            BulkWriter<BronzeEvent> writer = factory.create(out);
            for (int i = 0; i < 3_000; i++) {
                writer.addElement(event(i));
            }
            writer.finish();
        }

        Map<String, Set<Encoding>> encodings = new HashMap<>();
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            for (ColumnChunkMetaData column : reader.getFooter().getBlocks().get(0).getColumns()) {
                encodings.put(column.getPath().toDotString(), column.getEncodings());
            }
        }
        for (String unique : new String[] {"event_id", "request_payload_hash", "execution_token", "payload_json",
                "exchange_order_id", "event_seq", "occurred_at", "operation_id", "source_commit_lsn", "source_lsn",
                "source_tx_id", "source_commit_ts", "ingested_at"}) {
            assertThat(encodings.get(unique)).as(unique).isNotNull().noneMatch(Encoding::usesDictionary);
        }
        for (String repeating : new String[] {"client_id", "symbol", "event_type", "source", "retry_count", "ingest_run_id"}) {
            assertThat(encodings.get(repeating)).as(repeating).anyMatch(Encoding::usesDictionary);
        }
    }

    private static BronzeEvent event(int i) {
        OutboxChange c = OutboxChangeToBronzeTest.change(OutboxChange.INSERT);
        c.eventId = UUID.nameUUIDFromBytes(("event-" + i).getBytes()).toString();
        c.eventSeq = (long) i;
        c.occurredAt = Instant.ofEpochMilli(1_763_683_199_000L + i).toString();
        c.operationId = i / 3L;
        c.clientId = 1L + i % 5;
        c.executionToken = "tok-" + i;
        c.payloadJson = "{\"entry_price\": \"" + (61_000 + i) + "\"}";
        c.commitOrderLsn = 10_000L + i / 3 * 300;
        c.lsn = 10_000L + i * 100;
        c.txId = 77L + i / 3;
        c.sourceTimeMicros = 1_763_683_199_500_000L + i / 3;
        return OutboxChangeToBronze.map(c, Instant.ofEpochMilli(1_765_000_000_000L + i), "run-1").event();
    }
}
