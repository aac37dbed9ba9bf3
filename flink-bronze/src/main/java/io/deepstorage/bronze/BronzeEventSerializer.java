package io.deepstorage.bronze;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import io.deepstorage.schemas.BronzeEvent;

/**
 * How bronze records cross the keyed exchange between the source and {@link DropDuplicateEvents}: field by field,
 * without Avro. Flink's own choice for a generated Avro class (its Avro serialiser, with union resolution and the
 * decimal and timestamp conversions) took 8–10 % of the bronze job's samples in the full-speed bench, writing and
 * reading each record once (docs/benchmarks.md).
 *
 * <p>The layout follows {@link BronzeEvent}'s schema, read once: a bit per field that is null, then each present
 * value (strings as Flink's {@link StringValue}, decimals as scale and unscaled value, timestamps as seconds and
 * nanoseconds). It is lossless for any record, including nulls where the schema forbids them. It is used only
 * between operators, never for state, so a change of the schema changes nothing a savepoint holds.
 */
public final class BronzeEventSerializer extends TypeSerializerSingleton<BronzeEvent> {
    private static final long serialVersionUID = 1L;

    public static final BronzeEventSerializer INSTANCE = new BronzeEventSerializer();

    /** The type to declare on every stream of bronze records, so Flink picks this serialiser. */
    public static final TypeInformation<BronzeEvent> TYPE = new BronzeEventType();

    private enum Kind { STRING, LONG, INT, INSTANT, DECIMAL }

    private static final Kind[] KINDS = kinds(BronzeEvent.getClassSchema());

    static Kind[] kinds(Schema record) {
        List<Schema.Field> fields = record.getFields();
        if (fields.size() > Long.SIZE) {
            throw new IllegalStateException("BronzeEventSerializer keeps one null bit per field in a long; "
                    + record.getFullName() + " has " + fields.size() + " fields");
        }
        Kind[] kinds = new Kind[fields.size()];
        for (Schema.Field field : fields) {
            kinds[field.pos()] = kind(field);
        }
        return kinds;
    }

    private static Kind kind(Schema.Field field) {
        Schema s = field.schema();
        if (s.getType() == Schema.Type.UNION) {
            List<Schema> branches = s.getTypes();
            if (branches.size() != 2 || branches.get(0).getType() != Schema.Type.NULL) {
                throw unsupported(field);
            }
            s = branches.get(1);
        }
        if (s.getLogicalType() instanceof LogicalTypes.TimestampMicros) {
            return Kind.INSTANT;
        }
        if (s.getLogicalType() instanceof LogicalTypes.Decimal) {
            return Kind.DECIMAL;
        }
        switch (s.getType()) {
            case STRING: return Kind.STRING;
            case LONG: return Kind.LONG;
            case INT: return Kind.INT;
            default: throw unsupported(field);
        }
    }

    private static IllegalStateException unsupported(Schema.Field field) {
        return new IllegalStateException("BronzeEventSerializer has no encoding for field " + field.name() + " ("
                + field.schema() + "); add one before adding such a field to BronzeEvent");
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public BronzeEvent createInstance() {
        return new BronzeEvent();
    }

    /** Every field value is immutable (String, Long, Integer, Instant, BigDecimal), so copying the fields is deep. */
    @Override
    public BronzeEvent copy(BronzeEvent from) {
        BronzeEvent to = new BronzeEvent();
        for (int i = 0; i < KINDS.length; i++) {
            to.put(i, from.get(i));
        }
        return to;
    }

    @Override
    public BronzeEvent copy(BronzeEvent from, BronzeEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(BronzeEvent record, DataOutputView out) throws IOException {
        long nulls = 0;
        for (int i = 0; i < KINDS.length; i++) {
            if (record.get(i) == null) {
                nulls |= 1L << i;
            }
        }
        out.writeLong(nulls);
        for (int i = 0; i < KINDS.length; i++) {
            Object value = record.get(i);
            if (value == null) {
                continue;
            }
            switch (KINDS[i]) {
                case STRING: StringValue.writeString((CharSequence) value, out); break;
                case LONG: out.writeLong((Long) value); break;
                case INT: out.writeInt((Integer) value); break;
                case INSTANT: writeInstant((Instant) value, out); break;
                case DECIMAL: writeDecimal((BigDecimal) value, out); break;
                default: throw new AssertionError(KINDS[i]);
            }
        }
    }

    @Override
    public BronzeEvent deserialize(DataInputView in) throws IOException {
        long nulls = in.readLong();
        BronzeEvent record = new BronzeEvent();
        for (int i = 0; i < KINDS.length; i++) {
            if ((nulls & (1L << i)) != 0) {
                continue; // a new record's fields start null
            }
            switch (KINDS[i]) {
                case STRING: record.put(i, StringValue.readString(in)); break;
                case LONG: record.put(i, in.readLong()); break;
                case INT: record.put(i, in.readInt()); break;
                case INSTANT: record.put(i, Instant.ofEpochSecond(in.readLong(), in.readInt())); break;
                case DECIMAL: record.put(i, readDecimal(in)); break;
                default: throw new AssertionError(KINDS[i]);
            }
        }
        return record;
    }

    @Override
    public BronzeEvent deserialize(BronzeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static void writeInstant(Instant t, DataOutputView out) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    /** Scale, then the unscaled value: eight bytes when it fits a long (every price here), else its bytes. */
    private static void writeDecimal(BigDecimal d, DataOutputView out) throws IOException {
        out.writeInt(d.scale());
        BigInteger unscaled = d.unscaledValue();
        if (unscaled.bitLength() < Long.SIZE) {
            out.writeByte(0);
            out.writeLong(unscaled.longValue());
        } else {
            byte[] bytes = unscaled.toByteArray();
            out.writeByte(1);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static BigDecimal readDecimal(DataInputView in) throws IOException {
        int scale = in.readInt();
        if (in.readByte() == 0) {
            return BigDecimal.valueOf(in.readLong(), scale);
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new BigDecimal(new BigInteger(bytes), scale);
    }

    @Override
    public TypeSerializerSnapshot<BronzeEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Nothing to configure: the layout is fixed by the class. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BronzeEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** {@link BronzeEvent} with {@link BronzeEventSerializer}; Flink would otherwise pick its Avro serialiser. */
    private static final class BronzeEventType extends TypeInformation<BronzeEvent> {
        private static final long serialVersionUID = 1L;

        @Override public boolean isBasicType() { return false; }
        @Override public boolean isTupleType() { return false; }
        @Override public int getArity() { return 1; }
        @Override public int getTotalFields() { return 1; }
        @Override public Class<BronzeEvent> getTypeClass() { return BronzeEvent.class; }
        @Override public boolean isKeyType() { return false; }

        @Override
        public TypeSerializer<BronzeEvent> createSerializer(ExecutionConfig config) {
            return INSTANCE;
        }

        @Override public String toString() { return "BronzeEvent (BronzeEventSerializer)"; }
        @Override public boolean equals(Object o) { return o instanceof BronzeEventType; }
        @Override public int hashCode() { return BronzeEventType.class.hashCode(); }
        @Override public boolean canEqual(Object o) { return o instanceof BronzeEventType; }
    }
}
