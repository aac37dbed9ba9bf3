package org.apache.flink.cdc.connectors.base.source.reader.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import io.debezium.data.Envelope;

/**
 * Our {@code formatMessageTimestamp} gives every snapshot record the value Flink CDC 3.2.1's gives it (op r,
 * source.ts_ms 0, the fetch time in ts_ms), keeping the envelope it already has instead of rebuilding it.
 */
class SnapshotReadsTest {
    static final Schema ROW = SchemaBuilder.struct().name("outbox.public.stop_events.Value")
            .field("event_id", Schema.STRING_SCHEMA).field("attempt", Schema.OPTIONAL_INT32_SCHEMA).build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("ts_ms", Schema.INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA).build();
    static final Envelope ENVELOPE = Envelope.defineSchema().withName("outbox.public.stop_events.Envelope")
            .withRecord(ROW).withSource(SOURCE).build();
    static final Instant FETCHED = Instant.ofEpochMilli(1_796_178_403_216L);

    static Struct row(String id) {
        return new Struct(ROW).put("event_id", id).put("attempt", 1);
    }

    static Struct source() {
        return new Struct(SOURCE).put("ts_ms", 1_796_178_400_000L).put("lsn", 42L);
    }

    static SourceRecord record(Struct value) {
        Struct key = new Struct(SchemaBuilder.struct().field("event_id", Schema.STRING_SCHEMA).build())
                .put("event_id", value.getStruct("after").getString("event_id"));
        return new SourceRecord(Map.of("server", "outbox"), Map.of("lsn", 42L), "outbox.public.stop_events", null,
                key.schema(), key, ENVELOPE.schema(), value);
    }

    /** Flink CDC 3.2.1's formatMessageTimestamp, as released: the reference. */
    static SourceRecord upstream(SourceRecord record) {
        Envelope envelope = Envelope.fromSchema(record.valueSchema());
        Struct value = (Struct) record.value();
        Struct updateAfter = value.getStruct(Envelope.FieldName.AFTER);
        Struct source = value.getStruct(Envelope.FieldName.SOURCE);
        source.put(Envelope.FieldName.TIMESTAMP, 0L);
        Instant fetchTs = Instant.ofEpochMilli(value.getInt64(Envelope.FieldName.TIMESTAMP));
        return new SourceRecord(record.sourcePartition(), record.sourceOffset(), record.topic(), record.kafkaPartition(),
                record.keySchema(), record.key(), record.valueSchema(), envelope.read(updateAfter, source, fetchTs));
    }

    static void assertSameAsUpstream(Function<String, Struct> value) {
        SourceRecord ours = JdbcSourceFetchTaskContext.asSnapshotReads(List.of(record(value.apply("e-1")))).get(0);
        SourceRecord theirs = upstream(record(value.apply("e-1")));
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.value()).isEqualTo(theirs.value());
        assertThat(((Struct) ours.value()).getStruct("source").getInt64("ts_ms")).isZero();
        assertThat(((Struct) ours.value()).getString("op")).isEqualTo("r");
    }

    @Test
    void aSnapshotReadKeepsItsEnvelopeWithSourceTimestampZeroAsUpstreamGivesIt() {
        assertSameAsUpstream(id -> ENVELOPE.read(row(id), source(), FETCHED));
        SourceRecord read = record(ENVELOPE.read(row("e-2"), source(), FETCHED));
        assertThat(JdbcSourceFetchTaskContext.asSnapshotReads(List.of(read)).get(0).value())
                .as("not rebuilt").isSameAs(read.value());
    }

    @Test
    void aBackfilledInsertOrAReadWithMoreFieldsSetIsRebuiltAsUpstreamRebuildsIt() {
        assertSameAsUpstream(id -> ENVELOPE.create(row(id), source(), FETCHED));
        assertSameAsUpstream(id -> ENVELOPE.read(row(id), source(), FETCHED).put("before", row("old")));
        SourceRecord insert = record(ENVELOPE.create(row("e-3"), source(), FETCHED));
        assertThat(JdbcSourceFetchTaskContext.asSnapshotReads(List.of(insert)).get(0).value()).isNotSameAs(insert.value());
    }

    @Test
    void recordsKeepTheirOrder() {
        List<SourceRecord> chunk = List.of(record(ENVELOPE.read(row("a"), source(), FETCHED)),
                record(ENVELOPE.create(row("b"), source(), FETCHED)), record(ENVELOPE.read(row("c"), source(), FETCHED)));
        assertThat(JdbcSourceFetchTaskContext.asSnapshotReads(chunk))
                .extracting(r -> ((Struct) r.value()).getStruct("after").getString("event_id")).containsExactly("a", "b", "c");
    }
}
