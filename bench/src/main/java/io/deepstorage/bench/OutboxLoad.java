package io.deepstorage.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import io.deepstorage.cli.Database;
import io.deepstorage.embedded.EmbeddedPostgres;

/**
 * Commits outbox rows server-side (a DO block with a COMMIT after each transaction), so the client's round trips do
 * not limit the rate: {@code rowsPerTx} rows per transaction, rows numbered from {@code firstRow}. Each group of three
 * consecutive rows is one operation (STOP_TRIGGERED → EXECUTION_SUBMITTED → EXECUTED) with valid values, so bronze
 * writes every row (no dead letters).
 */
final class OutboxLoad {
    private OutboxLoad() {}

    /** The embedded server's outbox database, connected to as every job connects ({@link Database}). */
    static Database database(EmbeddedPostgres pg) {
        return new Database(pg.jdbcUrl(), pg.user(), pg.password());
    }

    static String sql(long firstRow, long transactions, int rowsPerTx) {
        return """
                DO $$
                DECLARE t bigint;
                BEGIN
                  FOR t IN 0..%d LOOP
                    INSERT INTO stop_events (event_id, event_seq, occurred_at, operation_id, client_id, symbol, event_type,
                        trigger_price, stop_price, quantity, side, execution_token, payload_json, request_payload_hash,
                        exchange_order_id, fill_price, slippage_pct, source, error_message, retry_count)
                    SELECT gen_random_uuid(), CASE WHEN r %% 2 = 0 THEN r END,
                        timestamptz '2026-11-20 08:00:00+00' + r * interval '100 milliseconds',
                        r / 3 + 1, 1 + (r / 3) %% 5, (ARRAY['BTCUSDC','ETHUSDC','SOLUSDC','BNBUSDC'])[1 + (r / 3) %% 4],
                        (ARRAY['STOP_TRIGGERED','EXECUTION_SUBMITTED','EXECUTED'])[1 + r %% 3],
                        60000 + (r / 3) %% 1000 + 0.12345678, 59990 + (r / 3) %% 1000 + 0.5, 0.25 + (r / 3) %% 7, 'SELL',
                        md5((r / 3)::text),
                        CASE WHEN r %% 3 = 2 THEN jsonb_build_object('pnl', '-2.50000000', 'fee', '0.00100000')
                             ELSE jsonb_build_object('trigger_type', 'STOP_LOSS', 'entry_price', '61000.00000000') END,
                        md5(r::text), CASE WHEN r %% 3 > 0 THEN 'ord-' || (r / 3) END,
                        CASE WHEN r %% 3 = 2 THEN 59980 + (r / 3) %% 1000 + 0.25 END,
                        CASE WHEN r %% 3 = 2 THEN 0.0167 END, 'ws', NULL, 0
                    FROM generate_series(%d + t * %d, %d + t * %d + %d) AS r;
                    COMMIT;
                  END LOOP;
                END $$""".formatted(transactions - 1, firstRow, rowsPerTx, firstRow, rowsPerTx, rowsPerTx - 1);
    }

    /** Commits {@code rows} rows (a multiple of rowsPerTx) in chunks of statements; returns the next row number. */
    static long load(Connection autocommit, long firstRow, long rows, int rowsPerTx) throws SQLException {
        long tx = rows / rowsPerTx;
        long chunk = 20_000;
        long row = firstRow;
        try (Statement s = autocommit.createStatement()) {
            for (long done = 0; done < tx; done += chunk) {
                long n = Math.min(chunk, tx - done);
                s.execute(sql(row, n, rowsPerTx));
                row += n * rowsPerTx;
            }
        }
        return row;
    }

    static long scalarLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Drops a replication slot, waiting up to 30 s for its last user to let go. */
    static void dropSlot(Connection c, String slot) throws Exception {
        for (int i = 0; i < 60; i++) {
            try {
                exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
                return;
            } catch (SQLException e) {
                Thread.sleep(500);
            }
        }
        exec(c, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active_pid IS NOT NULL");
        Thread.sleep(1000);
        exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}
