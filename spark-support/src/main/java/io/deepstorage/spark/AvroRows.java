package io.deepstorage.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.avro.SchemaConverters;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Spark rows shaped exactly like the contract's Avro records (field order, names, decimal precision, timestamps),
 * so the pure Java code can produce the generated Avro classes and the Parquet files still match the schemas.
 */
public final class AvroRows {
    private AvroRows() {}

    /** The Spark struct for an Avro record schema, plus {@code extra} columns appended (e.g. partition columns). */
    public static StructType structOf(Schema avroRecord, StructField... extra) {
        StructType struct = (StructType) SchemaConverters.toSqlType(avroRecord).dataType();
        for (StructField field : extra) {
            struct = struct.add(field);
        }
        return struct;
    }

    /**
     * The record's fields in schema order, then {@code extra} values, as a Row for {@link #structOf}. A list that came
     * from a Spark row ({@link Row#getList}, a view of a Scala Seq whose items are Spark's external values already) is
     * given back as that Seq, not copied.
     */
    public static Row toRow(IndexedRecord record, Object... extra) {
        return toRow(valuesOf(record), extra);
    }

    /** A record's fields in schema order, as {@link IndexedRecord#get} gives them. */
    public static List<Object> valuesOf(IndexedRecord record) {
        int n = record.getSchema().getFields().size();
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(record.get(i));
        }
        return values;
    }

    /** {@link #toRow(IndexedRecord, Object...)} of a record's {@link #valuesOf values}, already taken. */
    public static Row toRow(List<Object> recordValues, Object... extra) {
        int n = recordValues.size();
        Object[] values = new Object[n + extra.length];
        for (int i = 0; i < n; i++) {
            values[i] = sparkValue(recordValues.get(i));
        }
        System.arraycopy(extra, 0, values, n, extra.length);
        return RowFactory.create(values);
    }

    /** One record value as a Row holds it (see {@link #toRow(IndexedRecord, Object...)}). */
    public static Object sparkValue(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof scala.collection.convert.Wrappers.SeqWrapper<?> fromSpark) {
            // A list Spark gave (Row.getList): its items are Spark's already, and copying it cost gold 3 % of its time.
            return fromSpark.underlying();
        }
        if (value instanceof List<?> list) {
            List<Object> converted = new ArrayList<>(list.size());
            list.forEach(v -> converted.add(sparkValue(v)));
            return JavaConverters.asScalaBuffer(converted).toSeq();
        }
        return value;
    }
}
