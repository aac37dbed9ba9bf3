package io.deepstorage.bronze;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.Database;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.LakeLayout;

/** Settings of a replay: which outbox rows to read again from the table itself, and where bronze is. */
public final class ReplaySettings {
    static final List<OptionSpec> REPLAY_OPTIONS = List.of(
            OptionSpec.value("from", "REPLAY_FROM", null,
                    "first row to replay (required): beginning, an ISO instant (occurred_at at or after it) or event_seq:N"),
            OptionSpec.value("to", "REPLAY_TO", null, "end of the window, exclusive, in the same form as --from (default: no end)"),
            OptionSpec.value("event-ids", "REPLAY_EVENT_IDS", null,
                    "only these event_ids, comma-separated (audit --repair passes what it found missing)"),
            OptionSpec.value("replay-chunks", "REPLAY_CHUNKS", "16", "splits of the outbox by event_id range, read in parallel"),
            OptionSpec.value("fetch-size", "REPLAY_FETCH_SIZE", "5000", "rows per database round trip (the result streams)"),
            OptionSpec.value("max-rows-per-second", "REPLAY_MAX_ROWS_PER_SECOND", "0",
                    "read at most this many rows a second, to spare the primary (0: as fast as it goes)"),
            OptionSpec.value("checkpoint-interval", "REPLAY_CHECKPOINT_INTERVAL", "10s",
                    "checkpoint interval; replayed files appear at each checkpoint, a restart resumes from the last one"),
            OptionSpec.value("checkpoint-dir", "REPLAY_CHECKPOINT_DIR", null,
                    "checkpoint storage (default s3://<bucket>/flink/replay-checkpoints)"),
            OptionSpec.value("parallelism", "REPLAY_PARALLELISM", null, "job parallelism (default: the cluster's)"));

    /** Every option of a replay: the lake endpoint's, the outbox database's and its own. */
    public static final List<OptionSpec> OPTIONS = Stream.of(LakeEndpoint.OPTIONS, BronzeSettings.DATABASE_OPTIONS,
            List.of(BronzeSettings.PG_SCHEMA, BronzeSettings.PG_TABLE), REPLAY_OPTIONS).flatMap(List::stream).toList();

    /** Rows of the window [from, to) by one column, occurred_at or event_seq; no bound when null. */
    public record Window(String column, Object from, Object to) implements java.io.Serializable {
        public static final Window EVERYTHING = new Window(null, null, null);

        /** Parses --from (beginning | ISO instant | event_seq:N) and --to (same form, optional). */
        static Window parse(String from, String to) {
            Object lower = "beginning".equals(from) ? null : bound("from", from);
            Object upper = to == null ? null : bound("to", to);
            if (lower != null && upper != null && lower.getClass() != upper.getClass()) {
                throw new SettingException("--to must be of the same kind as --from (both instants or both event_seq:N)");
            }
            Object any = lower != null ? lower : upper;
            if (any == null) {
                return EVERYTHING;
            }
            return new Window(any instanceof Instant ? "occurred_at" : "event_seq", lower, upper);
        }

        private static Object bound(String option, String text) {
            if (text.startsWith("event_seq:")) {
                try {
                    return Long.parseLong(text.substring("event_seq:".length()));
                } catch (NumberFormatException e) {
                    throw new SettingException("--" + option + ": '" + text + "' is not event_seq:<number>");
                }
            }
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new SettingException("--" + option + ": '" + text
                        + "' is neither beginning, an ISO instant (2026-11-30T08:00:00Z) nor event_seq:<number>");
            }
        }

        /** The SQL condition (true when unbounded); its values are typed, so they are safe to inline. */
        String condition(String alias) {
            if (column == null) {
                return "TRUE";
            }
            String lower = from == null ? "TRUE" : alias + "." + column + " >= " + literal(from);
            String upper = to == null ? "TRUE" : alias + "." + column + " < " + literal(to);
            return lower + " AND " + upper;
        }

        private static String literal(Object v) {
            return v instanceof Instant i ? "'" + i + "'::timestamptz" : String.valueOf((long) (Long) v);
        }
    }

    public final Database database;
    public final String pgSchema;
    public final String pgTable;
    public final Window window;
    /** Only these event_ids when present (already checked to be UUIDs). */
    public final Optional<List<String>> eventIds;
    public final int chunks;
    public final int fetchSize;
    /** 0 when unlimited. */
    public final int maxRowsPerSecond;
    public final Duration checkpointInterval;
    public final String checkpointDir;
    public final Integer parallelism;
    public final String bucket;
    private final LakeEndpoint lake;
    public final String runId;

    private ReplaySettings(CommandLine v) {
        database = BronzeSettings.database(v);
        pgSchema = v.identifier("pg-schema");
        pgTable = v.identifier("pg-table");
        window = Window.parse(v.required("from"), v.get("to").orElse(null));
        eventIds = v.get("event-ids").map(ReplaySettings::uuids);
        chunks = v.integer("replay-chunks", 1, 4096);
        fetchSize = v.integer("fetch-size", 1, 1_000_000);
        maxRowsPerSecond = v.integer("max-rows-per-second", 0, Integer.MAX_VALUE);
        checkpointInterval = v.duration("checkpoint-interval");
        lake = LakeEndpoint.from(v);
        bucket = lake.bucket(v);
        checkpointDir = v.get("checkpoint-dir").orElse(LakeLayout.uri("s3", bucket, "flink/replay-checkpoints"));
        parallelism = v.optionalInteger("parallelism", 1, 1024).orElse(null);
        runId = "replay-" + UUID.randomUUID();
    }

    private static List<String> uuids(String list) {
        List<String> ids = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String id : ids) {
            try {
                UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new SettingException("--event-ids: '" + id + "' is not a uuid");
            }
        }
        if (ids.isEmpty()) {
            throw new SettingException("--event-ids: no event_id given");
        }
        return ids;
    }

    public static ReplaySettings parse(String[] args, Map<String, String> env) {
        return from(CommandLine.parse(args, env, OPTIONS));
    }

    public static ReplaySettings from(CommandLine options) {
        return new ReplaySettings(options);
    }

    public static String help(String command) {
        return CommandLine.helpText(command, "Replay: outbox rows read again from the table itself into bronze,"
                + " beside the running streaming job (no stop, no slot change).", OPTIONS);
    }

    public LakeEndpoint lakeEndpoint() { return lake; }

    public String lakeUri() { return "s3://" + bucket; }

    @Override
    public String toString() {
        return "ReplaySettings{table=" + pgSchema + "." + pgTable + " window=" + window + " eventIds="
                + eventIds.map(List::size).map(n -> n + " ids").orElse("all") + " lake=" + lakeUri() + " run=" + runId
                + " (secrets hidden)}";
    }
}
