package io.deepstorage.bronze;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * parquet-avro's {@link AvroWriteSupport} for records whose fields are all primitive (strings, numbers, booleans,
 * fixed, each optionally nullable and with a logical type): the same Parquet schema, footer and bytes, written with
 * less work per value. About a third of parquet-avro's time in bronze's writer went to what this skips: every String
 * encoded to UTF-8 through a CharsetEncoder (here {@link String#getBytes}, the JDK's fast path), a conversion looked up
 * by class in a map for every value with a logical type, and the nullable schema unwrapped per value.
 *
 * <p>The schema, the footer's metadata and any record shape this class does not cover are left to AvroWriteSupport
 * itself, so a schema with a nested record, list, map, enum or bytes field is written exactly as before.
 */
final class FlatAvroWriteSupport<T extends IndexedRecord> extends WriteSupport<T> {
    private final AvroWriteSupport<T> avro;
    private final GenericData model;
    /** One per Parquet column, or null when the schema is not flat: then every record goes to {@link #avro}. */
    private final Column[] columns;
    private RecordConsumer out;

    /** As AvroParquetWriter builds its AvroWriteSupport: the Parquet schema converted with {@code conf}'s settings. */
    FlatAvroWriteSupport(Configuration conf, Schema avroSchema, GenericData model) {
        MessageType parquetSchema = new AvroSchemaConverter(conf).convert(avroSchema);
        this.model = model;
        this.avro = new AvroWriteSupport<>(parquetSchema, avroSchema, model);
        this.columns = columns(avroSchema, parquetSchema);
    }

    /** A ParquetWriter builder like AvroParquetWriter's, writing with this class. */
    static <T extends IndexedRecord> Builder<T> builder(OutputFile file, Schema avroSchema, GenericData model) {
        return new Builder<>(file, avroSchema, model);
    }

    static final class Builder<T extends IndexedRecord> extends ParquetWriter.Builder<T, Builder<T>> {
        private final Schema avroSchema;
        private final GenericData model;

        private Builder(OutputFile file, Schema avroSchema, GenericData model) {
            super(file);
            this.avroSchema = avroSchema;
            this.model = model;
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(Configuration conf) {
            return new FlatAvroWriteSupport<>(conf, avroSchema, model);
        }
    }

    /** Whether records of {@code avroSchema} are written by this class rather than handed to AvroWriteSupport. */
    boolean writesItself() {
        return columns != null;
    }

    @Override
    public String getName() {
        return avro.getName();
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return avro.init(configuration);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        avro.prepareForWrite(recordConsumer);
        out = recordConsumer;
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
        return avro.finalizeWrite();
    }

    @Override
    public void write(T record) {
        if (columns == null) {
            avro.write(record);
            return;
        }
        out.startMessage();
        for (Column c : columns) {
            Object value = model.getField(record, c.name, c.avroIndex);
            if (value == null) {
                if (c.required) {
                    throw new RuntimeException("Null-value for required field: " + c.name); // as AvroWriteSupport says it
                }
                continue;
            }
            out.startField(c.name, c.index);
            c.write(out, c.logicalType == null ? value : c.convert(model, value));
            out.endField(c.name, c.index);
        }
        out.endMessage();
    }

    /** The columns of a flat schema in AvroWriteSupport's order, or null if any field is not a primitive it covers. */
    private static Column[] columns(Schema avroSchema, MessageType parquetSchema) {
        if (avroSchema.getType() != Schema.Type.RECORD || avroSchema.getLogicalType() != null) {
            return null;
        }
        List<Schema.Field> fields = avroSchema.getFields();
        List<Type> parquetFields = parquetSchema.getFields();
        Column[] columns = new Column[parquetFields.size()];
        int index = 0; // Parquet has no column for an Avro field of type null
        for (int avroIndex = 0; avroIndex < fields.size(); avroIndex++) {
            Schema.Field field = fields.get(avroIndex);
            if (field.schema().getType() == Schema.Type.NULL) {
                continue;
            }
            Type parquet = parquetFields.get(index);
            Schema value = AvroSchemaConverter.getNonNull(field.schema());
            Kind kind = Kind.of(value.getType());
            if (kind == null || !parquet.isPrimitive() || !parquet.getName().equals(field.name())
                    || parquet.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
                return null;
            }
            columns[index] = new Column(field.name(), index, avroIndex, parquet.isRepetition(Type.Repetition.REQUIRED),
                    kind, value, value.getLogicalType());
            index++;
        }
        return index == columns.length ? columns : null;
    }

    private enum Kind {
        STRING, LONG, INT, BOOLEAN, FLOAT, DOUBLE, FIXED;

        static Kind of(Schema.Type type) {
            return switch (type) {
                case STRING -> STRING;
                case LONG -> LONG;
                case INT -> INT;
                case BOOLEAN -> BOOLEAN;
                case FLOAT -> FLOAT;
                case DOUBLE -> DOUBLE;
                case FIXED -> FIXED;
                default -> null;
            };
        }
    }

    private static final class Column {
        final String name;
        final int index;
        final int avroIndex;
        final boolean required;
        final Kind kind;
        final Schema schema;
        final LogicalType logicalType;
        /** The conversion of the last value's class: a column's values are all of one class. */
        private Class<?> convertedClass;
        private Conversion<?> conversion;

        Column(String name, int index, int avroIndex, boolean required, Kind kind, Schema schema, LogicalType logicalType) {
            this.name = name;
            this.index = index;
            this.avroIndex = avroIndex;
            this.required = required;
            this.kind = kind;
            this.schema = schema;
            this.logicalType = logicalType;
        }

        /** AvroWriteSupport.convert for the primitive kinds, with the conversion looked up once per value class. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object convert(GenericData model, Object value) {
            if (value.getClass() != convertedClass) {
                conversion = model.getConversionByClass(value.getClass(), logicalType);
                convertedClass = value.getClass();
            }
            Conversion c = conversion;
            if (c == null) {
                return value;
            }
            Object datum = c.getConvertedType().cast(value);
            return switch (kind) {
                case STRING -> c.toCharSequence(datum, schema, logicalType);
                case LONG -> c.toLong(datum, schema, logicalType);
                case INT -> c.toInt(datum, schema, logicalType);
                case BOOLEAN -> c.toBoolean(datum, schema, logicalType);
                case FLOAT -> c.toFloat(datum, schema, logicalType);
                case DOUBLE -> c.toDouble(datum, schema, logicalType);
                case FIXED -> c.toFixed(datum, schema, logicalType);
            };
        }

        void write(RecordConsumer out, Object value) {
            switch (kind) {
                case STRING -> out.addBinary(utf8(value));
                case LONG -> out.addLong(((Number) value).longValue());
                case INT -> out.addInteger(value instanceof Character ch ? ch : ((Number) value).intValue());
                case BOOLEAN -> out.addBoolean((Boolean) value);
                case FLOAT -> out.addFloat(((Number) value).floatValue());
                case DOUBLE -> out.addDouble(((Number) value).doubleValue());
                case FIXED -> out.addBinary(Binary.fromReusedByteArray(((GenericFixed) value).bytes()));
            }
        }
    }

    /**
     * A string's UTF-8 bytes, as AvroWriteSupport gives them. String.getBytes replaces an unpaired surrogate with '?'
     * where parquet-avro's encoder fails, so a string whose bytes hold a '?' and which has a surrogate goes to
     * parquet-avro's own path, and fails the same way.
     */
    static Binary utf8(Object value) {
        if (value instanceof String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (!holdsQuestionMark(bytes) || !hasSurrogate(s)) {
                return Binary.fromConstantByteArray(bytes);
            }
            return Binary.fromCharSequence(s);
        }
        if (value instanceof Utf8 u) {
            return Binary.fromReusedByteArray(u.getBytes(), 0, u.getByteLength());
        }
        return Binary.fromCharSequence(value instanceof CharSequence cs ? cs : value.toString());
    }

    private static boolean holdsQuestionMark(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '?') {
                return true;
            }
        }
        return false;
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
