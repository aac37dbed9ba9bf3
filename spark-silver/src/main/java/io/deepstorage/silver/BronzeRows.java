package io.deepstorage.silver;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.apache.spark.sql.Row;

/** Reads a bronze Spark row (read with the java.time API on) into the pure {@link BronzeRecord}. */
final class BronzeRows {
    /** The bronze columns {@link #toRecord} reads: all the fold needs. */
    static final List<String> COLUMNS = List.of("event_id", "event_seq", "occurred_at", "operation_id", "client_id",
            "symbol", "event_type", "trigger_price", "stop_price", "quantity", "side", "execution_token", "payload_json",
            "exchange_order_id", "fill_price", "slippage_pct", "source", "error_message", "change_kind",
            "source_commit_lsn", "source_lsn", "source_tx_id", "source_commit_ts", "ingested_at");

    private BronzeRows() {}

    static BronzeRecord toRecord(Row row) {
        return new BronzeRecord(
                row.getAs("event_id"),
                row.<Long>getAs("event_seq"),
                row.<Instant>getAs("occurred_at"),
                row.<Long>getAs("operation_id"),
                row.<Long>getAs("client_id"),
                row.getAs("symbol"),
                row.getAs("event_type"),
                row.<BigDecimal>getAs("trigger_price"),
                row.<BigDecimal>getAs("stop_price"),
                row.<BigDecimal>getAs("quantity"),
                row.getAs("side"),
                row.getAs("execution_token"),
                row.getAs("payload_json"),
                row.getAs("exchange_order_id"),
                row.<BigDecimal>getAs("fill_price"),
                row.<BigDecimal>getAs("slippage_pct"),
                row.getAs("source"),
                row.getAs("error_message"),
                row.getAs("change_kind"),
                row.<Long>getAs("source_commit_lsn"),
                row.<Long>getAs("source_lsn"),
                row.<Long>getAs("source_tx_id"),
                row.<Instant>getAs("source_commit_ts"),
                row.<Instant>getAs("ingested_at"));
    }
}
