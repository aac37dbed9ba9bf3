package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/**
 * A Django migration changes stop_events while bronze streams (data contract: "Columns bronze does not know yet"):
 * every row keeps flowing, the new column's values travel in extra_columns, a widened known column still maps.
 */
class SchemaChangeIT {
    private static final String INSERT = "INSERT INTO stop_events (event_id, event_seq, occurred_at, operation_id,"
            + " client_id, symbol, event_type, trigger_price, stop_price, quantity, side, execution_token, payload_json,"
            + " request_payload_hash, exchange_order_id, fill_price, slippage_pct, source, error_message, retry_count,"
            + " venue) VALUES (?::uuid, NULL, ?, ?, 3, ?, 'STOP_CREATED', NULL, 59000.5, 0.25, 'SELL', NULL, '{}'::jsonb,"
            + " NULL, NULL, NULL, NULL, 'ws', NULL, 0, ?)";
    private static final String LONG_SYMBOL = "BTCUSDC-PERPETUAL-2026-12-31XX";

    @Test
    void aColumnAddedAndAColumnWidenedWhileBronzeStreamsLoseNoRowAndNoValue() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_schema_change");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(40)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        Set<String> before = LakeServers.outboxIds(settings);

        // What each new row is expected to carry in extra_columns, by event_id.
        Map<String, String> newRows = new LinkedHashMap<>();
        String longSymbolRow;
        JobReport summary;
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            run.awaitCaughtUp(Duration.ofMinutes(3));
            try (Connection c = LakeServers.connect(settings); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE stop_events ADD COLUMN venue varchar(20) NULL");
                for (int i = 1; i <= 5; i++) {
                    newRows.put(insert(c, 900_000 + i, "ETHUSDC", "XNAS-" + i), "{\"venue\": \"XNAS-" + i + "\"}");
                }
                newRows.put(insert(c, 900_006, "ETHUSDC", null), "{\"venue\": null}");
                s.execute("ALTER TABLE stop_events ALTER COLUMN symbol TYPE varchar(40)");
                longSymbolRow = insert(c, 900_007, LONG_SYMBOL, "XLON");
                newRows.put(longSymbolRow, "{\"venue\": \"XLON\"}");
                newRows.put(insert(c, 900_008, "SOLUSDC", "XETR \"floor\""), "{\"venue\": \"XETR \\\"floor\\\"\"}");
            }
            run.awaitCaughtUp(Duration.ofMinutes(3));
            summary = run.stopWithSavepoint();
        }

        // Committed bronze, every column: the copies of each event_id and its last copy.
        Map<String, Integer> copies = new HashMap<>();
        Map<String, GenericRecord> byId = new HashMap<>();
        for (LakeLayout.Entry part : new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).files()) {
            CommittedParts.readRows(part, null, r -> {
                copies.merge(r.get("event_id").toString(), 1, Integer::sum);
                byId.put(r.get("event_id").toString(), r);
            });
        }
        Set<String> outbox = LakeServers.outboxIds(settings);
        report("rows before the migration", before, copies);
        report("rows with the new column", newRows.keySet(), copies);
        report("row with the widened symbol", Set.of(longSymbolRow), copies);
        report("all outbox rows", outbox, copies);

        assertThat(outbox).hasSize(before.size() + newRows.size());
        assertThat(copies.keySet()).isEqualTo(outbox);
        assertThat(copies).allSatisfy((id, n) -> assertThat(n).as("copies of %s", id).isEqualTo(1));
        assertThat(summary.count(BronzeLocalRun.DEAD_LETTERS)).isZero();
        for (String id : before) {
            assertThat(byId.get(id).get("extra_columns")).as("extra_columns of old row %s", id).isNull();
        }
        newRows.forEach((id, extra) -> assertThat(String.valueOf(byId.get(id).get("extra_columns")))
                .as("extra_columns of new row %s", id).isEqualTo(extra));
        assertThat(byId.get(longSymbolRow).get("symbol").toString()).isEqualTo(LONG_SYMBOL);
    }

    /** One new row written as the app writes it after the migration; returns its event_id. */
    private static String insert(Connection c, long operationId, String symbol, String venue) throws Exception {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(Instant.parse("2026-11-21T12:00:00Z").plusSeconds(operationId % 1000)));
            ps.setLong(3, operationId);
            ps.setString(4, symbol);
            ps.setString(5, venue);
            ps.executeUpdate();
        }
        return id;
    }

    private static void report(String name, Set<String> written, Map<String, Integer> copies) {
        long once = written.stream().filter(id -> copies.getOrDefault(id, 0) == 1).count();
        long lost = written.stream().filter(id -> !copies.containsKey(id)).count();
        long doubled = written.stream().filter(id -> copies.getOrDefault(id, 0) > 1).count();
        System.out.printf("schema change: %-28s events written %4d, found once %4d, lost %d, doubled %d%n",
                name, written.size(), once, lost, doubled);
    }

}
