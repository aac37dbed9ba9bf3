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
