package io.deepstorage.schemas;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** The Avro schemas of every layer, for engines that work with schemas rather than generated classes. */
public final class Schemas {
    private Schemas() {}

    public static Schema bronzeEvent() { return BronzeEvent.getClassSchema(); }
    public static Schema deadLetter() { return DeadLetter.getClassSchema(); }
    public static Schema stopExecution() { return StopExecution.getClassSchema(); }
    public static Schema stopOutcomeExample() { return StopOutcomeExample.getClassSchema(); }
    public static Schema slippagePredictionExample() { return SlippagePredictionExample.getClassSchema(); }

    /**
     * Columns of bronze events written without a Parquet dictionary, by every writer of bronze files (the job, the
     * compaction, the bench's generated lake): their values (almost) never repeat, or repeat only within one operation
     * or transaction, so a dictionary never pays for them, and building one until it overflows costs a hash lookup per
     * value (a tenth of the sink's time for the strings; the times, positions and ids another 15 % of the writer's time
     * per row, with files 2-3 % smaller without their dictionaries).
     */
    public static final List<String> BRONZE_EVENT_PLAIN_COLUMNS = List.of("event_id", "request_payload_hash",
            "execution_token", "payload_json", "exchange_order_id", "event_seq", "occurred_at", "operation_id",
            "source_commit_lsn", "source_lsn", "source_tx_id", "source_commit_ts", "ingested_at");

    /**
     * {@code schema} with one more column, the way a layer gains one: last, nullable, default null. Files written
     * before read it as null; readers of the older schema ignore it.
     */
    public static Schema withNullableColumn(Schema schema, String column, String doc) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(column, Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), doc, JsonProperties.NULL_VALUE));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** {@code record} as a record of {@code wider} (from {@link #withNullableColumn}), {@code value} in its new column. */
    public static GenericData.Record widened(GenericRecord record, Schema wider, String column, String value) {
        GenericData.Record r = new GenericData.Record(wider);
        for (Schema.Field f : record.getSchema().getFields()) {
            r.put(f.name(), record.get(f.name()));
        }
        r.put(column, value);
        return r;
    }
}
