package io.deepstorage.bronze;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.Database;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.LakeLayout;

/**
 * {@code ./deep-storage audit --from <date> --to <date> [--repair]}: is bronze complete? Compares the outbox rows of
 * those UTC dates (by occurred_at, bronze's partition) that committed before a safety horizon with the event_ids in
 * committed bronze (and the dead letters). Prints {@code SUMMARY {json}} with the counts and the first missing
 * event_ids; exit 0 when complete, 1 on a gap. {@code --repair} replays exactly the missing events (the replay job,
 * reading them from the outbox table) and audits again.
 */
public final class AuditCommand {
    public static final List<OptionSpec> OPTIONS = Stream.of(LakeEndpoint.OPTIONS, BronzeSettings.DATABASE_OPTIONS,
            List.of(BronzeSettings.PG_SCHEMA, BronzeSettings.PG_TABLE,
                    OptionSpec.value("from", "AUDIT_FROM", null,
                            "first UTC date to audit: YYYY-MM-DD, yesterday or today (required)"),
                    OptionSpec.value("to", "AUDIT_TO", null, "last UTC date to audit, inclusive (default: --from)"),
                    OptionSpec.value("horizon", "AUDIT_HORIZON", "10m",
                            "only rows committed at least this long ago (bronze commits at its checkpoints)"),
                    OptionSpec.flag("repair", "AUDIT_REPAIR", "replay the missing events, then audit again"),
                    OptionSpec.value("metrics-push-url", "AUDIT_METRICS_PUSH_URL", null,
                            "a Prometheus Pushgateway (http://host:9091): the audit's counts are pushed there as deep_storage_audit_*")))
            .flatMap(List::stream).toList();
    private static final int LISTED = 10;

    /** What one audit found. */
    public record Result(int outboxRows, int bronzeDistinct, List<String> missing, List<String> unexpected) {
        public boolean complete() {
            return missing.isEmpty();
        }
    }

    private AuditCommand() {}

    public static void main(String[] args) {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("./deep-storage audit",
                    "Compares the outbox with committed bronze for some dates; --repair replays what is missing.", OPTIONS));
            return;
        }
        try {
            CommandLine cli = CommandLine.parse(args, System.getenv(), OPTIONS);
            dates(cli);
            InProcessFlink.requireEndpoint(cli, LakeEndpoint.from(cli));
            cli.get("metrics-push-url").ifPresent(u -> {
                if (!u.matches("https?://[^/\\s]+(/\\S*)?")) {
                    throw cli.bad("metrics-push-url", "must be an http:// or https:// URL, got '" + u + "'");
                }
            });
        } catch (SettingException e) {
            System.err.println("audit: " + e.getMessage());
            System.exit(2);
            return;
        }
        int exit;
        try {
            JobReport report = run(args, System.getenv());
            System.out.println(report.line());
            exit = report.count("missing") == 0 ? 0 : 1;
        } catch (Exception e) {
            System.err.println("audit: " + e.getMessage());
            exit = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(exit); // a repair's MiniCluster leaves non-daemon threads behind
    }

    /** Audits, repairs when asked and needed, and reports the last audit. */
    public static JobReport run(String[] args, Map<String, String> env) throws Exception {
        CommandLine cli = CommandLine.parse(args, env, OPTIONS);
        LocalDate[] dates = dates(cli);
        Duration horizon = cli.duration("horizon");
        Database db = BronzeSettings.database(cli);
        String table = cli.identifier("pg-schema") + "." + cli.identifier("pg-table");
        String lake = "s3://" + LakeEndpoint.from(cli).bucket(cli);
        // Also sets up Flink's S3 filesystem, through which bronze is read.
        Configuration flinkConf = InProcessFlink.configuration(LakeEndpoint.from(cli));
        JobReport.Builder report = JobReport.start("audit");
        Instant committedBefore = Instant.now().minus(horizon);
        Result result = audit(db, table, lake, dates[0], dates[1], committedBefore);
        report.put("from", dates[0].toString()).put("to", dates[1].toString());
        if (!result.complete() && cli.bool("repair")) {
            System.err.println("audit: gap: " + result.missing().size() + " events missing from bronze; repairing");
            ReplaySettings missingOnly = ReplaySettings.parse(replayArgs(cli, result.missing()), env);
            JobReport replay = ReplayCommand.run(missingOnly, flinkConf, Optional.empty());
            report.put("repaired", replay.rowsOut()).put("repair_run_id", replay.text("run_id"));
            result = audit(db, table, lake, dates[0], dates[1], committedBefore);
        }
        if (!result.complete()) {
            System.err.println("audit: gap: " + result.missing().size() + " events missing from bronze for "
                    + dates[0] + ".." + dates[1] + ", e.g. " + first(result.missing()));
        }
        JobReport done = report.put(JobReport.ROWS_IN, (long) result.outboxRows())
                .put("outbox_rows", (long) result.outboxRows())
                .put("bronze_distinct", (long) result.bronzeDistinct())
                .put("missing", (long) result.missing().size())
                .put("unexpected", (long) result.unexpected().size())
                .put("missing_first", String.join(",", first(result.missing())))
                .put("unexpected_first", String.join(",", first(result.unexpected())))
                .summary();
        Optional<String> push = cli.get("metrics-push-url");
        if (push.isPresent()) {
            pushMetrics(push.get(), metrics(done, dates[0], dates[1], Instant.now()));
        }
        return done;
    }

    /**
     * The audit as Prometheus text for a Pushgateway group of its own: a PUT replaces the group, so the series of an
     * earlier audit (other dates) go away. The alerts (70-bronze-alerts.yaml) fire on missing events and on an
     * audit that stopped running.
     */
    static String metrics(JobReport report, LocalDate from, LocalDate to, Instant now) {
        String labels = "{from=\"" + from + "\",to=\"" + to + "\"}";
        StringBuilder b = new StringBuilder();
        gauge(b, "deep_storage_audit_missing_events", "outbox events committed before the horizon and not in bronze",
                labels, report.count("missing"));
        gauge(b, "deep_storage_audit_unexpected_events", "bronze events without their outbox row", labels,
                report.count("unexpected"));
        gauge(b, "deep_storage_audit_outbox_rows", "outbox rows audited", labels, report.count("outbox_rows"));
        gauge(b, "deep_storage_audit_last_run_timestamp_seconds", "when the audit ran", "", now.getEpochSecond());
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, String labels, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static void pushMetrics(String baseUrl, String text) throws Exception {
        URI uri = URI.create(baseUrl.replaceAll("/+$", "") + "/metrics/job/deep_storage_audit");
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "text/plain; version=0.0.4")
                        .PUT(HttpRequest.BodyPublishers.ofString(text)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the Pushgateway at " + uri + " answered " + response.statusCode()
                    + ": " + response.body().strip());
        }
    }

    /**
     * Outbox rows with occurred_at on [from, to] (UTC dates) committed before {@code committedBefore} (by commit
     * time when PostgreSQL tracks it, else by occurred_at) against the event_ids of committed bronze in those date
     * partitions and of every dead letter.
     */
    public static Result audit(Database db, String table, String lakeUri, LocalDate from, LocalDate to,
                               Instant committedBefore) throws Exception {
        Set<String> outbox = new HashSet<>();
        try (Connection c = db.connect()) {
            boolean commitTimes;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('track_commit_timestamp') = 'on'")) {
                commitTimes = rs.next() && rs.getBoolean(1);
            }
            String committed = commitTimes ? "pg_xact_commit_timestamp(xmin) < ?" : "occurred_at < ?";
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id::text FROM " + table
                    + " WHERE occurred_at >= ? AND occurred_at < ? AND " + committed)) {
                ps.setFetchSize(10_000);
                ps.setObject(1, from.atStartOfDay().atOffset(ZoneOffset.UTC));
                ps.setObject(2, to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                ps.setObject(3, OffsetDateTime.ofInstant(committedBefore, ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        outbox.add(rs.getString(1));
                    }
                }
            }
        }
        Set<String> bronze = new HashSet<>();
        CommittedParts events = new CommittedParts(lakeUri + "/" + LakeLayout.BRONZE_EVENTS);
        Set<String> partitions = new HashSet<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            partitions.add("/date=" + d + "/");
        }
        for (LakeLayout.Entry f : events.files()) {
            if (partitions.stream().anyMatch(f.path()::contains)) {
                bronze.addAll(events.eventIds(f));
            }
        }
        bronze.remove(null);
        Set<String> accounted = new HashSet<>(bronze);
        accounted.addAll(new CommittedParts(lakeUri + "/" + LakeLayout.BRONZE_DEAD_LETTERS).eventIds());
        List<String> missing = new ArrayList<>(new TreeSet<>(outbox));
        missing.removeAll(accounted);
        // In bronze but not (or not yet, or no longer) in the outbox: deleted rows, rows newer than the horizon.
        List<String> unexpected = new ArrayList<>(new TreeSet<>(bronze));
        unexpected.removeAll(outbox);
        return new Result(outbox.size(), bronze.size(), missing, unexpected);
    }

    static LocalDate[] dates(CommandLine cli) {
        LocalDate from = date(cli, "from", cli.required("from"));
        LocalDate to = cli.get("to").map(t -> date(cli, "to", t)).orElse(from);
        if (to.isBefore(from)) {
            throw new SettingException(cli.spec("to").label() + " is before --from");
        }
        return new LocalDate[] {from, to};
    }

    private static LocalDate date(CommandLine cli, String option, String text) {
        // A CronJob cannot compute a date in its manifest: it says yesterday.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        if ("today".equals(text)) {
            return today;
        }
        if ("yesterday".equals(text)) {
            return today.minusDays(1);
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new SettingException(cli.spec(option).label() + ": '" + text
                    + "' is not a date (YYYY-MM-DD, yesterday or today)");
        }
    }

    /** The repair's replay: the audit's own endpoint, database and table settings, exactly these events. */
    private static String[] replayArgs(CommandLine audit, List<String> eventIds) {
        List<String> out = new ArrayList<>();
        for (OptionSpec o : Stream.of(LakeEndpoint.OPTIONS, BronzeSettings.DATABASE_OPTIONS,
                List.of(BronzeSettings.PG_SCHEMA, BronzeSettings.PG_TABLE)).flatMap(List::stream).toList()) {
            audit.get(o.name()).ifPresent(v -> out.addAll(List.of("--" + o.name(), v)));
        }
        out.addAll(List.of("--from", "beginning", "--event-ids", String.join(",", eventIds)));
        return out.toArray(String[]::new);
    }

    private static List<String> first(List<String> ids) {
        return ids.subList(0, Math.min(LISTED, ids.size()));
    }
}
