package io.deepstorage.bronze.local;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.stream.Stream;

import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.Database;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

/**
 * {@code ./deep-storage bronze-slot [--drop]}: the bronze job's replication slot — whether a walsender streams from
 * it, the WAL it retains and has not confirmed — and, with {@code --drop}, drops it. A slot in use is never dropped
 * (exit 1): stop the job first. Dropping loses the job's position; the way back is a replay (docs/operations.md).
 */
public final class BronzeSlotCommand {
    static final List<OptionSpec> OPTIONS = Stream.concat(BronzeSettings.DATABASE_OPTIONS.stream(), Stream.of(
            BronzeSettings.SLOT_NAME,
            OptionSpec.flag("drop", null, "drop the slot (refused while a walsender uses it)"))).toList();

    private BronzeSlotCommand() {}

    public static void main(String[] args) {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("./deep-storage bronze-slot",
                    "Shows the bronze job's replication slot (WAL retained, confirmed, in use) and drops it with --drop.", OPTIONS));
            return;
        }
        Database db;
        String slot;
        boolean drop;
        try {
            CommandLine cli = CommandLine.parse(args, System.getenv(), OPTIONS);
            db = BronzeSettings.database(cli);
            slot = cli.identifier("slot-name");
            drop = cli.bool("drop");
        } catch (SettingException e) {
            System.err.println("bronze-slot: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(db, slot, drop));
        } catch (Exception e) {
            System.err.println("bronze-slot: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(Database db, String slot, boolean drop) throws Exception {
        JobReport.Builder report = JobReport.start("bronze-slot").put("slot", slot);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT active_pid IS NOT NULL,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, wal_status"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    System.err.println("bronze-slot: there is no replication slot " + slot);
                    return 1;
                }
                boolean active = rs.getBoolean(1);
                report.put("active", active).put("wal_retained_bytes", rs.getLong(2))
                        .put("wal_unconfirmed_bytes", rs.getLong(3)).put("wal_status", rs.getString(4));
                if (drop && active) {
                    System.err.println("bronze-slot: slot " + slot + " is in use by a running job; stop the job (with a"
                            + " savepoint) before dropping it");
                    System.out.println(report.put("dropped", false).summary().line());
                    return 1;
                }
            }
            if (drop) {
                try (PreparedStatement d = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    d.setString(1, slot);
                    d.execute();
                }
            }
            System.out.println(report.put("dropped", drop).summary().line());
            return 0;
        }
    }
}
