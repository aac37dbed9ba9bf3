package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class OutboxChangeDeserializerTest {
    static final Schema SOURCE = SchemaBuilder.struct().name("source")
            .field("ts_ms", Schema.INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA).build();

    static SchemaBuilder rowSchema() {
        SchemaBuilder b = SchemaBuilder.struct().name("row").optional()
                .field("event_id", Schema.STRING_SCHEMA).field("event_seq", Schema.OPTIONAL_INT64_SCHEMA)
                .field("occurred_at", Schema.STRING_SCHEMA).field("operation_id", Schema.INT64_SCHEMA)
                .field("client_id", Schema.INT64_SCHEMA).field("symbol", Schema.STRING_SCHEMA)
                .field("event_type", Schema.STRING_SCHEMA);
        for (String d : new String[] {"trigger_price", "stop_price", "quantity"}) {
            b.field(d, Decimal.builder(8).optional().build());
        }
        b.field("side", Schema.OPTIONAL_STRING_SCHEMA).field("execution_token", Schema.OPTIONAL_STRING_SCHEMA)
                .field("payload_json", Schema.STRING_SCHEMA).field("request_payload_hash", Schema.OPTIONAL_STRING_SCHEMA)
                .field("exchange_order_id", Schema.OPTIONAL_STRING_SCHEMA)
                .field("fill_price", Decimal.builder(8).optional().build())
                .field("slippage_pct", Decimal.builder(4).optional().build())
                .field("source", Schema.STRING_SCHEMA).field("error_message", Schema.OPTIONAL_STRING_SCHEMA);
        return b;
    }

    static Struct envelope(Schema row, Struct after, String op) {
        Schema env = SchemaBuilder.struct().name("envelope").field("before", row).field("after", row)
                .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(SOURCE).put("ts_ms", 1_700_000_000_000L).put("lsn", 5000L).put("txId", 9L)
                .put("sequence", "[\"4000\",\"5000\"]");
        return new Struct(env).put("after", after).put("source", source).put("op", op);
    }

    static Struct row(Schema schema) {
        return new Struct(schema).put("event_id", "7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11").put("occurred_at", "2026-11-20T10:00:00.5Z")
                .put("operation_id", 1L).put("client_id", 2L).put("symbol", "ETHUSDC").put("event_type", "EXECUTED")
                .put("fill_price", new BigDecimal("3000.12345678")).put("payload_json", "{}").put("source", "ws");
    }

    @Test
    void aStreamedInsertIsReadWithItsSourcePosition() {
        Schema schema = rowSchema().field("retry_count", Schema.INT32_SCHEMA).build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 1), "c"));

        assertThat(c.problem).isNull();
        assertThat(c.kind).isEqualTo(OutboxChange.INSERT);
        assertThat(c.fillPrice).isEqualByComparingTo("3000.12345678");
        assertThat(c.retryCount).isEqualTo(1);
        assertThat(c.lsn).isEqualTo(5000L);
        assertThat(c.commitOrderLsn).isEqualTo(4000L);
        assertThat(c.txId).isEqualTo(9L);
        assertThat(c.sourceTimeMicros).isEqualTo(1_700_000_000_000_000L);
    }

    @Test
    void aRowWhoseShapeChangedIsPassedOnWithTheProblemNotThrown() {
        Schema withoutRetryCount = rowSchema().build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(withoutRetryCount, row(withoutRetryCount), "c"));

        assertThat(c.problem).isEqualTo("cannot read the row: column retry_count is missing");
        assertThat(c.rawRow).contains("\"event_id\": \"7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11\"").contains("3000.12345678");
        assertThat(OutboxChangeToBronze.map(c, java.time.Instant.EPOCH, "r").deadLetter()).isNotNull();
    }

    @Test
    void snapshotReadsCarryNoCommitTimeWhenTheSourceGivesZero() {
        Schema schema = rowSchema().field("retry_count", Schema.INT32_SCHEMA).build();
        Struct envelope = envelope(schema, row(schema).put("retry_count", 0), "r");
        envelope.getStruct("source").put("ts_ms", 0L);
        assertThat(OutboxChangeDeserializer.read(envelope).sourceTimeMicros).isNull();
    }

    @Test
    void snapshotReadsCarryNoCommitPosition() {
        Schema schema = rowSchema().field("retry_count", Schema.INT32_SCHEMA).build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 0), "r"));
        assertThat(c.kind).isEqualTo(OutboxChange.SNAPSHOT);
        assertThat(c.commitOrderLsn).isNull();
        assertThat(c.lsn).isNull();
    }
}
