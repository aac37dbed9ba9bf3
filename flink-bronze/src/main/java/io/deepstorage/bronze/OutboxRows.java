package io.deepstorage.bronze;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The outbox read from the table itself (replay, audit repair): the query of one chunk and a row to an
 * {@link OutboxChange} of kind REPLAY. A row carries the best commit-order evidence PostgreSQL keeps without a WAL
 * position: its inserting transaction id ({@code xmin} widened to 64 bits with the current epoch) and, when
 * {@code track_commit_timestamp} is on, that transaction's commit time.
 */
public final class OutboxRows {
    private OutboxRows() {}

    static final String TX_ID = "_deep_storage_tx_id";
    static final String COMMIT_TIME = "_deep_storage_commit_time";

    /**
     * One chunk's query: the rows of the window whose event_id lies in [?, ?] (the chunk's bounds), or, with
     * {@code resumed}, in (?, ?] (after the last event_id read), ordered by event_id so a chunk can resume by key.
     */
    static String chunkQuery(String schema, String table, ReplaySettings.Window window, List<String> eventIds,
                             boolean commitTimestamps, boolean resumed) {
        // xmin is 32 bits; the snapshot's xmax carries the epoch. A row whose xmin is above the current 32-bit
        // counter was written in the previous epoch. Frozen rows (xmin 2) keep no transaction id: they sort first.
        String next = "pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
        String xid = "s.xmin::text::bigint";
        String txId = "(((" + next + " >> 32) - CASE WHEN " + xid + " > (" + next + " & 4294967295) THEN 1 ELSE 0 END) << 32)"
                + " | " + xid;
        String commitTime = commitTimestamps ? "pg_xact_commit_timestamp(s.xmin)" : "NULL::timestamptz";
        StringBuilder sql = new StringBuilder("SELECT s.*, ").append(txId).append(" AS ").append(TX_ID).append(", ")
                .append(commitTime).append(" AS ").append(COMMIT_TIME)
                .append(" FROM ").append(schema).append('.').append(table).append(" s")
                .append(" WHERE s.event_id ").append(resumed ? ">" : ">=")
                .append(" ?::uuid AND s.event_id <= ?::uuid AND ").append(window.condition("s"));
        if (eventIds != null) {
            sql.append(" AND s.event_id IN (");
            for (int i = 0; i < eventIds.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append('\'').append(java.util.UUID.fromString(eventIds.get(i))).append("'::uuid");
            }
            sql.append(')');
        }
        return sql.append(" ORDER BY s.event_id").toString();
    }

    /** One row of {@link #chunkQuery} as a REPLAY change; never throws for bad data (the row goes to the dead letters). */
    static OutboxChange read(ResultSet rs) throws SQLException {
        OutboxChange c = new OutboxChange();
        c.kind = OutboxChange.REPLAY;
        c.txId = (Long) rs.getObject(TX_ID);
        OffsetDateTime committed = rs.getObject(COMMIT_TIME, OffsetDateTime.class);
        c.sourceTimeMicros = committed == null ? null : micros(committed);
        try {
            c.eventId = rs.getString("event_id");
            c.eventSeq = (Long) rs.getObject("event_seq");
            OffsetDateTime occurred = rs.getObject("occurred_at", OffsetDateTime.class);
            c.occurredAt = occurred == null ? null : occurred.toInstant().toString();
            c.operationId = (Long) rs.getObject("operation_id");
            c.clientId = (Long) rs.getObject("client_id");
            c.symbol = rs.getString("symbol");
            c.eventType = rs.getString("event_type");
            c.triggerPrice = rs.getBigDecimal("trigger_price");
            c.stopPrice = rs.getBigDecimal("stop_price");
            c.quantity = rs.getBigDecimal("quantity");
            c.side = rs.getString("side");
            c.executionToken = rs.getString("execution_token");
            c.payloadJson = rs.getString("payload_json");
            c.requestPayloadHash = rs.getString("request_payload_hash");
            c.exchangeOrderId = rs.getString("exchange_order_id");
            c.fillPrice = rs.getBigDecimal("fill_price");
            c.slippagePct = rs.getBigDecimal("slippage_pct");
            c.source = rs.getString("source");
            c.errorMessage = rs.getString("error_message");
            c.retryCount = (Integer) rs.getObject("retry_count");
            c.extraColumnsJson = extraColumns(rs);
        } catch (SQLException | ClassCastException e) {
            c.problem = "cannot read the row: " + e.getMessage();
            c.rawRow = "{\"event_id\": " + Json.quote(String.valueOf(rs.getString("event_id"))) + "}";
        }
        return c;
    }

    /** Columns outside the known ones and ours, as one JSON object in table column order; null when none. */
    private static String extraColumns(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder b = null;
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String name = md.getColumnLabel(i);
            if (OutboxChangeDeserializer.KNOWN_COLUMNS.contains(name) || name.startsWith("_deep_storage_")) {
                continue;
            }
            b = b == null ? new StringBuilder("{") : b.append(", ");
            Object v = rs.getObject(i);
            b.append(Json.quote(name)).append(": ").append(v == null ? "null"
                    : v instanceof BigDecimal d ? d.toPlainString()
                    : v instanceof Number || v instanceof Boolean ? v.toString()
                    : v instanceof OffsetDateTime t ? Json.quote(t.toInstant().toString())
                    : Json.quote(v.toString()));
        }
        return b == null ? null : b.append('}').toString();
    }

    private static long micros(OffsetDateTime t) {
        var i = t.toInstant();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1_000;
    }
}
