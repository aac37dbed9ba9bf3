package io.deepstorage.bronze;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads a Debezium change record of stop_events into an {@link OutboxChange}. Never throws for bad data: a row
 * that cannot be read is passed on with {@code problem} set, so it reaches the dead letters instead of failing the
 * job.
 */
public class OutboxChangeDeserializer implements DebeziumDeserializationSchema<OutboxChange> {
    private static final long serialVersionUID = 1L;

    /** The outbox columns {@link #read} maps to OutboxChange fields, in the order it reads them. */
    static final List<String> READ_ORDER = List.of("event_id", "event_seq", "occurred_at", "operation_id", "client_id",
            "symbol", "event_type", "trigger_price", "stop_price", "quantity", "side", "execution_token", "payload_json",
            "request_payload_hash", "exchange_order_id", "fill_price", "slippage_pct", "source", "error_message",
            "retry_count");
    /** {@link #READ_ORDER} as a set: every other column is an extra column. */
    static final Set<String> KNOWN_COLUMNS = Set.copyOf(READ_ORDER);
    private static final int EVENT_ID = column("event_id"), EVENT_SEQ = column("event_seq"),
            OCCURRED_AT = column("occurred_at"), OPERATION_ID = column("operation_id"), CLIENT_ID = column("client_id"),
            SYMBOL = column("symbol"), EVENT_TYPE = column("event_type"), TRIGGER_PRICE = column("trigger_price"),
            STOP_PRICE = column("stop_price"), QUANTITY = column("quantity"), SIDE = column("side"),
            EXECUTION_TOKEN = column("execution_token"), PAYLOAD_JSON = column("payload_json"),
            REQUEST_PAYLOAD_HASH = column("request_payload_hash"), EXCHANGE_ORDER_ID = column("exchange_order_id"),
            FILL_PRICE = column("fill_price"), SLIPPAGE_PCT = column("slippage_pct"), SOURCE = column("source"),
            ERROR_MESSAGE = column("error_message"), RETRY_COUNT = column("retry_count");

    private static int column(String name) {
        int i = READ_ORDER.indexOf(name);
        if (i < 0) {
            throw new IllegalStateException(name + " is not in READ_ORDER");
        }
        return i;
    }

    @Override
    public void deserialize(SourceRecord record, Collector<OutboxChange> out) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            return; // heartbeats and other non-change records carry no row
        }
        out.collect(read(value));
    }

    /** Pure: a Debezium envelope (op, before, after, source) to an OutboxChange. */
    static OutboxChange read(Struct envelope) {
        OutboxChange c = new OutboxChange();
        Field[] parts = ENVELOPE.of(envelope.schema()).known;
        String op = (String) envelope.get(parts[ENVELOPE_OP]);
        c.kind = switch (op) {
            case "r" -> OutboxChange.SNAPSHOT;
            case "c" -> OutboxChange.INSERT;
            case "u" -> OutboxChange.UPDATE;
            case "d" -> OutboxChange.DELETE;
            default -> op;
        };
        Struct source = parts[ENVELOPE_SOURCE] != null ? (Struct) envelope.get(parts[ENVELOPE_SOURCE]) : null;
        if (source != null) {
            readSource(c, source);
        }
        Field image = OutboxChange.DELETE.equals(c.kind) ? parts[ENVELOPE_BEFORE] : parts[ENVELOPE_AFTER];
        Struct row = image != null ? (Struct) envelope.get(image) : null;
        if (row == null) {
            c.problem = "change carries no row image";
            c.rawRow = String.valueOf(envelope);
            return c;
        }
        try {
            SchemaFields.Resolved columns = ROW.of(row.schema());
            c.eventId = string(row, columns, EVENT_ID);
            c.eventSeq = (Long) value(row, columns, EVENT_SEQ);
            c.occurredAt = string(row, columns, OCCURRED_AT);
            c.operationId = (Long) value(row, columns, OPERATION_ID);
            c.clientId = (Long) value(row, columns, CLIENT_ID);
            c.symbol = string(row, columns, SYMBOL);
            c.eventType = string(row, columns, EVENT_TYPE);
            c.triggerPrice = decimal(row, columns, TRIGGER_PRICE);
            c.stopPrice = decimal(row, columns, STOP_PRICE);
            c.quantity = decimal(row, columns, QUANTITY);
            c.side = string(row, columns, SIDE);
            c.executionToken = string(row, columns, EXECUTION_TOKEN);
            c.payloadJson = string(row, columns, PAYLOAD_JSON);
            c.requestPayloadHash = string(row, columns, REQUEST_PAYLOAD_HASH);
            c.exchangeOrderId = string(row, columns, EXCHANGE_ORDER_ID);
            c.fillPrice = decimal(row, columns, FILL_PRICE);
            c.slippagePct = decimal(row, columns, SLIPPAGE_PCT);
            c.source = string(row, columns, SOURCE);
            c.errorMessage = string(row, columns, ERROR_MESSAGE);
            c.retryCount = (Integer) value(row, columns, RETRY_COUNT);
            c.extraColumnsJson = extraColumns(row, columns.extra);
        } catch (RuntimeException e) {
            c.problem = "cannot read the row: " + e.getMessage();
        }
        if (c.problem != null || OutboxChange.DELETE.equals(c.kind)) {
            c.rawRow = rowAsJson(row);
        }
        return c;
    }

    private static void readSource(OutboxChange c, Struct source) {
        Field[] fields = SOURCE_INFO.of(source.schema()).known;
        if (!OutboxChange.SNAPSHOT.equals(c.kind)) {
            c.lsn = (Long) optional(source, fields[SOURCE_LSN]);
            c.txId = (Long) optional(source, fields[SOURCE_TX_ID]);
            // Debezium's sequence is ["<commit LSN of the previous transaction>", "<this change's LSN>"]: the first
            // part is shared by a transaction's changes and grows in commit order.
            Object sequence = optional(source, fields[SOURCE_SEQUENCE]);
            if (sequence instanceof String s) {
                c.commitOrderLsn = firstSequenceElement(s);
            }
        }
        Object tsMs = optional(source, fields[SOURCE_TS_MS]);
        if (tsMs instanceof Long ms && ms > 0) { // snapshot reads carry 0: no commit time is known for them
            c.sourceTimeMicros = ms * 1000;
        }
    }

    static Long firstSequenceElement(String sequence) {
        String body = sequence.replace("[", "").replace("]", "").replace("\"", "").trim();
        int comma = body.indexOf(',');
        String first = (comma < 0 ? body : body.substring(0, comma)).trim();
        if (first.isEmpty() || "null".equals(first)) {
            return null;
        }
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Object optional(Struct s, Field field) {
        return field == null ? null : s.get(field);
    }

    private static Object value(Struct row, SchemaFields.Resolved columns, int column) {
        Field f = columns.known[column];
        if (f == null) {
            throw new IllegalStateException("column " + READ_ORDER.get(column) + " is missing");
        }
        return row.get(f);
    }

    private static String string(Struct row, SchemaFields.Resolved columns, int column) {
        Object v = value(row, columns, column);
        return v == null ? null : v.toString();
    }

    private static BigDecimal decimal(Struct row, SchemaFields.Resolved columns, int column) {
        Object v = value(row, columns, column);
        if (v == null || v instanceof BigDecimal) {
            return (BigDecimal) v;
        }
        throw new IllegalStateException("column " + READ_ORDER.get(column) + " is not a decimal but " + v.getClass().getSimpleName());
    }

    private static final List<String> ENVELOPE_FIELDS = List.of("op", "source", "before", "after");
    private static final int ENVELOPE_OP = ENVELOPE_FIELDS.indexOf("op"), ENVELOPE_SOURCE = ENVELOPE_FIELDS.indexOf("source"),
            ENVELOPE_BEFORE = ENVELOPE_FIELDS.indexOf("before"), ENVELOPE_AFTER = ENVELOPE_FIELDS.indexOf("after");
    private static final SchemaFields ENVELOPE = new SchemaFields(ENVELOPE_FIELDS);
    private static final List<String> SOURCE_FIELDS = List.of("lsn", "txId", "sequence", "ts_ms");
    private static final int SOURCE_LSN = SOURCE_FIELDS.indexOf("lsn"), SOURCE_TX_ID = SOURCE_FIELDS.indexOf("txId"),
            SOURCE_SEQUENCE = SOURCE_FIELDS.indexOf("sequence"), SOURCE_TS_MS = SOURCE_FIELDS.indexOf("ts_ms");
    private static final SchemaFields SOURCE_INFO = new SchemaFields(SOURCE_FIELDS);
    private static final SchemaFields ROW = new SchemaFields(READ_ORDER);

    /**
     * Where some named fields sit in a schema, worked out once per schema object and thread: Debezium gives every
     * change one reader reads of one table version the same schema objects, so this replaces a name lookup per field
     * and change (with Kafka Connect's type checks about 2 % of the bronze JVM's samples at full speed). Per thread,
     * because parallel snapshot readers each hold schema objects of their own.
     */
    static final class SchemaFields {
        private final List<String> names;
        private final ThreadLocal<Resolved> last = new ThreadLocal<>();

        SchemaFields(List<String> names) {
            this.names = List.copyOf(names);
        }

        /** The fields of {@code names} in one schema (null where it has none), and its fields not named. */
        static final class Resolved {
            final Schema schema;
            final Field[] known;
            final List<Field> extra;

            private Resolved(Schema schema, List<String> names) {
                this.schema = schema;
                known = new Field[names.size()];
                for (int i = 0; i < known.length; i++) {
                    known[i] = schema.field(names.get(i));
                }
                List<Field> others = new ArrayList<>();
                for (Field f : schema.fields()) {
                    if (!names.contains(f.name())) {
                        others.add(f);
                    }
                }
                extra = List.copyOf(others);
            }
        }

        Resolved of(Schema schema) {
            Resolved resolved = last.get();
            if (resolved == null || resolved.schema != schema) {
                resolved = new Resolved(schema, names);
                last.set(resolved);
            }
            return resolved;
        }
    }

    /**
     * The row's columns outside {@link #KNOWN_COLUMNS} as one JSON object in table column order, or null when there
     * are none; values rendered as BronzeEvent.extra_columns documents.
     */
    static String extraColumns(Struct row) {
        return extraColumns(row, ROW.of(row.schema()).extra);
    }

    private static String extraColumns(Struct row, List<Field> extra) {
        StringBuilder b = null;
        for (Field f : extra) {
            b = b == null ? new StringBuilder("{") : b.append(", ");
            b.append(Json.quote(f.name())).append(": ");
            appendJson(b, row.get(f), f.schema());
        }
        return b == null ? null : b.append('}').toString();
    }

    /** One Kafka Connect value as JSON, by its Debezium semantic type where it has one. */
    static void appendJson(StringBuilder b, Object v, Schema schema) {
        if (v == null) {
            b.append("null");
            return;
        }
        String name = schema == null ? null : schema.name();
        if (name != null) {
            String semantic = semantic(v, name);
            if (semantic != null) {
                b.append(semantic);
                return;
            }
        }
        if (v instanceof BigDecimal d) {
            b.append(d.toPlainString());
        } else if (v instanceof Double d) {
            b.append(d.isNaN() || d.isInfinite() ? Json.quote(d.toString()) : d.toString());
        } else if (v instanceof Float f) {
            b.append(f.isNaN() || f.isInfinite() ? Json.quote(f.toString()) : f.toString());
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof byte[] bytes) {
            b.append(Json.quote(Base64.getEncoder().encodeToString(bytes)));
        } else if (v instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            b.append(Json.quote(Base64.getEncoder().encodeToString(bytes)));
        } else if (v instanceof Struct struct) {
            b.append('{');
            boolean first = true;
            for (Field f : struct.schema().fields()) {
                b.append(first ? "" : ", ").append(Json.quote(f.name())).append(": ");
                appendJson(b, struct.get(f), f.schema());
                first = false;
            }
            b.append('}');
        } else if (v instanceof Collection<?> items) {
            b.append('[');
            boolean first = true;
            for (Object item : items) {
                b.append(first ? "" : ", ");
                appendJson(b, item, schema == null || schema.type() != Schema.Type.ARRAY ? null : schema.valueSchema());
                first = false;
            }
            b.append(']');
        } else if (v instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(first ? "" : ", ").append(Json.quote(String.valueOf(e.getKey()))).append(": ");
                appendJson(b, e.getValue(), schema == null || schema.type() != Schema.Type.MAP ? null : schema.valueSchema());
                first = false;
            }
            b.append('}');
        } else {
            b.append(Json.quote(v.toString()));
        }
    }

    /** JSON for Debezium's and Kafka Connect's named types, or null when {@code name} is not one of them. */
    private static String semantic(Object v, String name) {
        return switch (name) {
            // timestamptz / timetz: Debezium already gives ISO-8601 text with the offset.
            case "io.debezium.time.ZonedTimestamp", "io.debezium.time.ZonedTime" -> Json.quote(v.toString());
            // timestamp (without time zone), date, time: epoch counts, rendered as ISO-8601 local text.
            case "io.debezium.time.Timestamp" -> localDateTime(((Number) v).longValue(), ChronoUnit.MILLIS);
            case "io.debezium.time.MicroTimestamp" -> localDateTime(((Number) v).longValue(), ChronoUnit.MICROS);
            case "io.debezium.time.NanoTimestamp" -> localDateTime(((Number) v).longValue(), ChronoUnit.NANOS);
            case "io.debezium.time.Date" -> Json.quote(LocalDate.ofEpochDay(((Number) v).longValue()).toString());
            case "io.debezium.time.Time" -> Json.quote(LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000L).toString());
            case "io.debezium.time.MicroTime" -> Json.quote(LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000L).toString());
            case "io.debezium.time.NanoTime" -> Json.quote(LocalTime.ofNanoOfDay(((Number) v).longValue()).toString());
            case "io.debezium.time.MicroDuration" -> Json.quote(Duration.of(((Number) v).longValue(), ChronoUnit.MICROS).toString());
            case "org.apache.kafka.connect.data.Timestamp" -> v instanceof java.util.Date d ? Json.quote(d.toInstant().toString()) : null;
            case "org.apache.kafka.connect.data.Date" -> v instanceof java.util.Date d
                    ? Json.quote(LocalDate.ofInstant(d.toInstant(), ZoneOffset.UTC).toString()) : null;
            case "org.apache.kafka.connect.data.Time" -> v instanceof java.util.Date d
                    ? Json.quote(LocalTime.ofInstant(d.toInstant(), ZoneOffset.UTC).toString()) : null;
            // numeric without a declared scale: {scale, unscaled value bytes}.
            case "io.debezium.data.VariableScaleDecimal" -> v instanceof Struct s
                    ? new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale")).toPlainString() : null;
            // json / jsonb: the JSON value itself, not a string holding it.
            case "io.debezium.data.Json" -> v instanceof String s && Json.isValue(s) ? s.trim() : null;
            default -> null;
        };
    }

    private static String localDateTime(long count, ChronoUnit unit) {
        Instant t = Instant.EPOCH.plus(count, unit);
        return Json.quote(LocalDateTime.ofInstant(t, ZoneOffset.UTC).toString());
    }

    static String rowAsJson(Struct row) {
        StringBuilder b = new StringBuilder("{");
        for (Field f : row.schema().fields()) {
            if (b.length() > 1) {
                b.append(", ");
            }
            Object v = row.get(f);
            b.append('"').append(Json.escape(f.name())).append("\": ");
            if (v == null) {
                b.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                b.append(v instanceof BigDecimal d ? d.toPlainString() : v.toString());
            } else {
                b.append('"').append(Json.escape(v.toString())).append('"');
            }
        }
        return b.append('}').toString();
    }

    @Override
    public TypeInformation<OutboxChange> getProducedType() {
        return TypeInformation.of(OutboxChange.class);
    }
}
