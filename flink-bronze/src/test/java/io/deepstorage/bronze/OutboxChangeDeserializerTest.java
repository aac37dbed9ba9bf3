package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

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

    static SchemaBuilder rowSchemaWithRetryCount() {
        return rowSchema().field("retry_count", Schema.INT32_SCHEMA);
    }

    @Test
    void anUnknownVarcharAndAnUnknownNumericColumnTravelAsExtraColumnsWithTheirExactValues() {
        Schema schema = rowSchemaWithRetryCount().field("venue", Schema.OPTIONAL_STRING_SCHEMA)
                .field("fee", Decimal.builder(8).optional().build()).build();
        Struct after = row(schema).put("retry_count", 0).put("venue", "XNAS \"main\"")
                .put("fee", new BigDecimal("12345678901.00012300"));

        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, after, "c"));

        assertThat(c.problem).isNull();
        assertThat(c.extraColumnsJson).isEqualTo("{\"venue\": \"XNAS \\\"main\\\"\", \"fee\": 12345678901.00012300}");
        assertThat(Json.members(c.extraColumnsJson)).containsOnlyKeys("venue", "fee");
        assertThat(OutboxChangeToBronze.map(c, Instant.EPOCH, "r").event().getExtraColumns()).isEqualTo(c.extraColumnsJson);
    }

    @Test
    void aRowWithOnlyKnownColumnsHasNoExtraColumns() {
        Schema schema = rowSchemaWithRetryCount().build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 0), "c"));

        assertThat(c.extraColumnsJson).isNull();
        assertThat(OutboxChangeToBronze.map(c, Instant.EPOCH, "r").event().getExtraColumns()).isNull();
    }

    @Test
    void changesOfSchemasThatTakeTurnsAreEachReadByTheirOwnColumns() {
        // A migration between changes, then changes of both shapes in turn (a restored reader, a replay beside it):
        // where a column sits is worked out per schema, never carried over from the change before.
        Schema before = rowSchemaWithRetryCount().build();
        Schema after = SchemaBuilder.struct().name("row").optional().field("venue", Schema.OPTIONAL_STRING_SCHEMA)
                .field("event_id", Schema.STRING_SCHEMA).field("retry_count", Schema.INT32_SCHEMA)
                .field("event_seq", Schema.OPTIONAL_INT64_SCHEMA).field("occurred_at", Schema.STRING_SCHEMA)
                .field("operation_id", Schema.INT64_SCHEMA).field("client_id", Schema.INT64_SCHEMA)
                .field("symbol", Schema.STRING_SCHEMA).field("event_type", Schema.STRING_SCHEMA)
                .field("trigger_price", Decimal.builder(8).optional().build()).field("stop_price", Decimal.builder(8).optional().build())
                .field("quantity", Decimal.builder(8).optional().build()).field("side", Schema.OPTIONAL_STRING_SCHEMA)
                .field("execution_token", Schema.OPTIONAL_STRING_SCHEMA).field("payload_json", Schema.STRING_SCHEMA)
                .field("request_payload_hash", Schema.OPTIONAL_STRING_SCHEMA).field("exchange_order_id", Schema.OPTIONAL_STRING_SCHEMA)
                .field("fill_price", Decimal.builder(8).optional().build()).field("slippage_pct", Decimal.builder(4).optional().build())
                .field("source", Schema.STRING_SCHEMA).field("error_message", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct beforeEnvelope = envelope(before, row(before).put("retry_count", 0), "c");
        Struct afterEnvelope = envelope(after, row(after).put("retry_count", 10).put("venue", "XNAS").put("symbol", "SOLUSDC"), "c");
        for (int turn = 0; turn < 3; turn++) {
            // Twice each: the second read of a schema finds its columns where the first one left them.
            for (int again = 0; again < 2; again++) {
                OutboxChange old = OutboxChangeDeserializer.read(beforeEnvelope);
                assertThat(old.problem).isNull();
                assertThat(old.retryCount).isZero();
                assertThat(old.symbol).isEqualTo("ETHUSDC");
                assertThat(old.lsn).isEqualTo(5000L);
                assertThat(old.extraColumnsJson).isNull();
            }
            for (int again = 0; again < 2; again++) {
                OutboxChange moved = OutboxChangeDeserializer.read(afterEnvelope);
                assertThat(moved.problem).isNull();
                assertThat(moved.retryCount).isEqualTo(10);
                assertThat(moved.symbol).isEqualTo("SOLUSDC");
                assertThat(moved.lsn).isEqualTo(5000L);
                assertThat(moved.extraColumnsJson).isEqualTo("{\"venue\": \"XNAS\"}");
            }
        }
    }

    @Test
    void aChangeWithoutTheRowImageItNeedsIsPassedOnWithTheProblem() {
        Schema row = rowSchemaWithRetryCount().build();
        Schema env = SchemaBuilder.struct().name("envelope").field("before", row).field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(SOURCE).put("ts_ms", 1_700_000_000_000L).put("lsn", 5000L);
        OutboxChange c = OutboxChangeDeserializer.read(new Struct(env).put("source", source).put("op", "c"));

        assertThat(c.problem).isEqualTo("change carries no row image");
        assertThat(c.lsn).isEqualTo(5000L);
        assertThat(OutboxChangeToBronze.map(c, Instant.EPOCH, "r").deadLetter()).isNotNull();
    }

    @Test
    void anUnknownColumnThatIsNullIsKeptAsJsonNull() {
        Schema schema = rowSchemaWithRetryCount().field("venue", Schema.OPTIONAL_STRING_SCHEMA).build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 0), "c"));

        assertThat(c.extraColumnsJson).isEqualTo("{\"venue\": null}");
    }

    @Test
    void aKnownColumnThatWasWidenedStillMapsToItsField() {
        Schema schema = rowSchemaWithRetryCount().build();
        String thirtyChars = "BTCUSDC-PERPETUAL-2026-12-31XX";
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 0)
                .put("symbol", thirtyChars), "c"));

        assertThat(thirtyChars).hasSize(30);
        assertThat(c.problem).isNull();
        assertThat(c.symbol).isEqualTo(thirtyChars);
        assertThat(c.extraColumnsJson).isNull();
        assertThat(OutboxChangeToBronze.map(c, Instant.EPOCH, "r").event().getSymbol()).isEqualTo(thirtyChars);
    }

    @Test
    void aSnapshotRowKeepsItsExtraColumnsLikeAStreamedOne() {
        Schema schema = rowSchemaWithRetryCount().field("venue", Schema.OPTIONAL_STRING_SCHEMA).build();
        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, row(schema).put("retry_count", 0)
                .put("venue", "XNAS"), "r"));

        assertThat(c.kind).isEqualTo(OutboxChange.SNAPSHOT);
        assertThat(c.extraColumnsJson).isEqualTo("{\"venue\": \"XNAS\"}");
    }

    @Test
    void aDeleteReadsItsExtraColumnsFromTheRowBeforeTheChange() {
        Schema schema = rowSchemaWithRetryCount().field("venue", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct envelope = envelope(schema, null, "d");
        envelope.put("before", row(schema).put("retry_count", 0).put("venue", "XNAS"));

        OutboxChange c = OutboxChangeDeserializer.read(envelope);

        assertThat(c.kind).isEqualTo(OutboxChange.DELETE);
        assertThat(c.extraColumnsJson).isEqualTo("{\"venue\": \"XNAS\"}");
    }

    @Test
    void everyKindOfColumnValueIsRenderedAsFaithfulJson() {
        Schema variableScale = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").optional()
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
        Schema schema = rowSchemaWithRetryCount()
                .field("is_test", Schema.OPTIONAL_BOOLEAN_SCHEMA)
                .field("attempts", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ratio", Schema.OPTIONAL_FLOAT64_SCHEMA)
                .field("broken_ratio", Schema.OPTIONAL_FLOAT64_SCHEMA)
                .field("settled_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
                .field("local_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
                .field("trade_date", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
                .field("meta", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
                .field("any_numeric", variableScale)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
                .build();
        Struct after = row(schema).put("retry_count", 0)
                .put("is_test", true).put("attempts", 3L).put("ratio", 0.25).put("broken_ratio", Double.NaN)
                .put("settled_at", "2026-11-20T10:00:00.123456Z")
                .put("local_at", 1_763_632_800_123_456L) // 2025-11-20T10:00:00.123456
                .put("trade_date", 20_412) // 2025-11-20
                .put("meta", "{\"a\": [1, 2.50]}")
                .put("any_numeric", new Struct(variableScale).put("scale", 10)
                        .put("value", new BigInteger("123456789012345678901234567890").toByteArray()))
                .put("note", "line 1\nline 2")
                .put("tags", java.util.List.of("x", "y"))
                .put("blob", new byte[] {1, 2, 3});

        OutboxChange c = OutboxChangeDeserializer.read(envelope(schema, after, "c"));

        assertThat(c.extraColumnsJson).isEqualTo("{\"is_test\": true, \"attempts\": 3, \"ratio\": 0.25, "
                + "\"broken_ratio\": \"NaN\", \"settled_at\": \"2026-11-20T10:00:00.123456Z\", "
                + "\"local_at\": \"2025-11-20T10:00:00.123456\", \"trade_date\": \"2025-11-20\", "
                + "\"meta\": {\"a\": [1, 2.50]}, \"any_numeric\": 12345678901234567890.1234567890, "
                + "\"note\": \"line 1\\nline 2\", \"tags\": [\"x\", \"y\"], \"blob\": \"AQID\"}");
        assertThat(Json.members(c.extraColumnsJson)).hasSize(12);
    }
}
