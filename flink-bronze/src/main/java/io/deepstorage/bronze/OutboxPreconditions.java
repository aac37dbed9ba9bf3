package io.deepstorage.bronze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks at start what the CDC source needs from the outbox database, with a message that says what to do,
 * instead of a failing job that restarts forever.
 */
public final class OutboxPreconditions {
    private OutboxPreconditions() {}

    /** Problems found, each one actionable line; empty when the database is ready. */
    public static List<String> problems(BronzeSettings s) {
        List<String> problems = new ArrayList<>();
        String table = s.pgSchema + "." + s.pgTable;
        try (Connection c = s.database().connect()) {
            if (!"logical".equals(scalar(c, "SHOW wal_level"))) {
                problems.add("wal_level is '" + scalar(c, "SHOW wal_level") + "', logical replication needs wal_level=logical (postgresql.conf, then restart)");
            }
            if (scalar(c, "SELECT to_regclass('" + table + "')::text") == null) {
                problems.add("table " + table + " does not exist in " + s.pgDatabase + " (check --pg-database / --pg-schema / --pg-table)");
                return problems;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
                ps.setString(1, s.publication);
                ps.setString(2, s.pgSchema);
                ps.setString(3, s.pgTable);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        problems.add("publication " + s.publication + " does not cover " + table
                                + ": run sql/outbox-cdc-setup.sql (docs/operations.md) or CREATE PUBLICATION " + s.publication + " FOR TABLE " + table);
                    }
                }
            }
        } catch (SQLException e) {
            problems.add("cannot connect to " + s.database().url() + " as " + s.pgUser + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        return problems;
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
