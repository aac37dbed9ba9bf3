package io.deepstorage.bronze;

import java.math.BigDecimal;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads a Debezium change record of stop_events into an {@link OutboxChange}. Never throws for bad data: a row
 * that cannot be read is passed on with {@code problem} set, so it reaches the dead letters instead of failing the
 * job.
 */
public class OutboxChangeDeserializer implements DebeziumDeserializationSchema<OutboxChange> {
    private static final long serialVersionUID = 1L;

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
        String op = envelope.getString("op");
        c.kind = switch (op) {
            case "r" -> OutboxChange.SNAPSHOT;
            case "c" -> OutboxChange.INSERT;
            case "u" -> OutboxChange.UPDATE;
            case "d" -> OutboxChange.DELETE;
            default -> op;
        };
        Struct source = envelope.schema().field("source") != null ? envelope.getStruct("source") : null;
        if (source != null) {
            readSource(c, source);
        }
        Struct row = OutboxChange.DELETE.equals(c.kind) ? envelope.getStruct("before") : envelope.getStruct("after");
        if (row == null) {
            c.problem = "change carries no row image";
            c.rawRow = String.valueOf(envelope);
            return c;
        }
        try {
            c.eventId = string(row, "event_id");
            c.eventSeq = (Long) value(row, "event_seq");
            c.occurredAt = string(row, "occurred_at");
            c.operationId = (Long) value(row, "operation_id");
            c.clientId = (Long) value(row, "client_id");
            c.symbol = string(row, "symbol");
            c.eventType = string(row, "event_type");
            c.triggerPrice = decimal(row, "trigger_price");
            c.stopPrice = decimal(row, "stop_price");
            c.quantity = decimal(row, "quantity");
            c.side = string(row, "side");
            c.executionToken = string(row, "execution_token");
            c.payloadJson = string(row, "payload_json");
            c.requestPayloadHash = string(row, "request_payload_hash");
            c.exchangeOrderId = string(row, "exchange_order_id");
            c.fillPrice = decimal(row, "fill_price");
            c.slippagePct = decimal(row, "slippage_pct");
            c.source = string(row, "source");
            c.errorMessage = string(row, "error_message");
            c.retryCount = (Integer) value(row, "retry_count");
        } catch (RuntimeException e) {
            c.problem = "cannot read the row: " + e.getMessage();
        }
        if (c.problem != null || OutboxChange.DELETE.equals(c.kind)) {
            c.rawRow = rowAsJson(row);
        }
        return c;
    }

    private static void readSource(OutboxChange c, Struct source) {
        if (!OutboxChange.SNAPSHOT.equals(c.kind)) {
            c.lsn = (Long) optional(source, "lsn");
            c.txId = (Long) optional(source, "txId");
            // Debezium's sequence is ["<commit LSN of the previous transaction>", "<this change's LSN>"]: the first
            // part is shared by a transaction's changes and grows in commit order.
            Object sequence = optional(source, "sequence");
            if (sequence instanceof String s) {
                c.commitOrderLsn = firstSequenceElement(s);
            }
        }
        Object tsMs = optional(source, "ts_ms");
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

    private static Object optional(Struct s, String name) {
        return s.schema().field(name) == null ? null : s.get(name);
    }

    private static Object value(Struct row, String name) {
        Field f = row.schema().field(name);
        if (f == null) {
            throw new IllegalStateException("column " + name + " is missing");
        }
        return row.get(f);
    }

    private static String string(Struct row, String name) {
        Object v = value(row, name);
        return v == null ? null : v.toString();
    }

    private static BigDecimal decimal(Struct row, String name) {
        Object v = value(row, name);
        if (v == null || v instanceof BigDecimal) {
            return (BigDecimal) v;
        }
        throw new IllegalStateException("column " + name + " is not a decimal but " + v.getClass().getSimpleName());
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
