package io.deepstorage.bronze;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The bronze job's configuration, from arguments (which win) and the environment, validated at start. A bad or
 * missing setting is a {@link BadSetting} whose message is one line naming the setting. Secrets come only from the
 * environment or mounted files, and {@link #toString()} never shows them.
 */
public final class BronzeSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One line naming the setting that is wrong. */
    public static final class BadSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadSetting(String message) {
            super(message);
        }
    }

    record Option(String name, String env, String defaultValue, String help) {}

    static final List<Option> OPTIONS = List.of(
            new Option("pg-host", "PG_HOST", "localhost", "PostgreSQL host of the outbox"),
            new Option("pg-port", "PG_PORT", "5432", "PostgreSQL port"),
            new Option("pg-database", "PG_DATABASE", null, "database holding stop_events (required)"),
            new Option("pg-user", "PG_USER", null, "replication-capable user (required)"),
            new Option("pg-password-file", "PG_PASSWORD_FILE", null, "file holding the password; else env PG_PASSWORD"),
            new Option("pg-schema", "PG_SCHEMA", "public", "schema of the outbox table"),
            new Option("pg-table", "PG_TABLE", "stop_events", "outbox table"),
            new Option("slot-name", "BRONZE_SLOT_NAME", "deep_storage_bronze", "logical replication slot of this job"),
            new Option("publication", "BRONZE_PUBLICATION", "deep_storage_bronze", "pre-created publication FOR TABLE stop_events"),
            new Option("startup", "BRONZE_STARTUP", "initial", "initial (snapshot, then stream) or latest (stream only)"),
            new Option("snapshot-chunk-size", "BRONZE_SNAPSHOT_CHUNK_SIZE", "100000", "rows per snapshot chunk"),
            new Option("snapshot-fetch-size", "BRONZE_SNAPSHOT_FETCH_SIZE", "10000", "rows per snapshot fetch"),
            new Option("heartbeat-interval", "BRONZE_HEARTBEAT_INTERVAL", "30s", "heartbeat that moves the slot on while the outbox is quiet, so PostgreSQL can recycle WAL"),
            new Option("bucket", "S3_BUCKET", null, "bucket of the lake (required)"),
            new Option("s3-endpoint", "S3_ENDPOINT", null, "S3 endpoint; when set the job configures the S3 filesystem itself (local runs); in a Flink cluster set s3.* in the Flink configuration"),
            new Option("path-style", "S3_PATH_STYLE", "true", "path-style S3 access"),
            new Option("s3-access-key-file", "S3_ACCESS_KEY_FILE", null, "file holding the S3 access key; else env AWS_ACCESS_KEY_ID"),
            new Option("s3-secret-key-file", "S3_SECRET_KEY_FILE", null, "file holding the S3 secret key; else env AWS_SECRET_ACCESS_KEY"),
            new Option("checkpoint-interval", "BRONZE_CHECKPOINT_INTERVAL", "30s", "exactly-once checkpoint interval; bronze files appear at each checkpoint"),
            new Option("checkpoint-dir", "BRONZE_CHECKPOINT_DIR", null, "checkpoint storage (default s3://<bucket>/flink/checkpoints)"),
            new Option("state-backend", "BRONZE_STATE_BACKEND", "rocksdb", "rocksdb (incremental checkpoints) or hashmap"),
            new Option("dedup-ttl", "BRONZE_DEDUP_TTL", "7d", "how long an event_id is remembered for dropping duplicates"),
            new Option("parallelism", "BRONZE_PARALLELISM", null, "job parallelism (default: the cluster's)"));

    public final String pgHost;
    public final int pgPort;
    public final String pgDatabase;
    public final String pgUser;
    private final String pgPassword;
    public final String pgSchema;
    public final String pgTable;
    public final String slotName;
    public final String publication;
    public final String startup;
    public final int snapshotChunkSize;
    public final int snapshotFetchSize;
    public final Duration heartbeatInterval;
    public final String bucket;
    public final String s3Endpoint;
    public final boolean pathStyle;
    private final String s3AccessKey;
    private final String s3SecretKey;
    public final Duration checkpointInterval;
    public final String checkpointDir;
    public final String stateBackend;
    public final Duration dedupTtl;
    public final Integer parallelism;
    public final String runId;

    private BronzeSettings(Map<String, String> v, Map<String, String> env) {
        pgHost = v.get("pg-host");
        pgPort = integer(v, "pg-port", 1, 65535);
        pgDatabase = required(v, "pg-database");
        pgUser = required(v, "pg-user");
        pgPassword = secret(v, env, "pg-password-file", "PG_PASSWORD");
        pgSchema = v.get("pg-schema");
        pgTable = v.get("pg-table");
        slotName = identifier(v, "slot-name");
        publication = identifier(v, "publication");
        startup = oneOf(v, "startup", List.of("initial", "latest"));
        snapshotChunkSize = integer(v, "snapshot-chunk-size", 1, Integer.MAX_VALUE);
        snapshotFetchSize = integer(v, "snapshot-fetch-size", 1, Integer.MAX_VALUE);
        heartbeatInterval = duration(v, "heartbeat-interval");
        bucket = required(v, "bucket");
        s3Endpoint = v.get("s3-endpoint");
        if (s3Endpoint != null && !s3Endpoint.startsWith("http://") && !s3Endpoint.startsWith("https://")) {
            throw bad("s3-endpoint", "must start with http:// or https://, got '" + s3Endpoint + "'");
        }
        pathStyle = bool(v, "path-style");
        s3AccessKey = secret(v, env, "s3-access-key-file", "AWS_ACCESS_KEY_ID");
        s3SecretKey = secret(v, env, "s3-secret-key-file", "AWS_SECRET_ACCESS_KEY");
        if (s3Endpoint != null && (s3AccessKey == null || s3SecretKey == null)) {
            throw new BadSetting("--s3-endpoint is set but the S3 keys are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --s3-access-key-file / --s3-secret-key-file)");
        }
        checkpointInterval = duration(v, "checkpoint-interval");
        checkpointDir = v.get("checkpoint-dir") != null ? v.get("checkpoint-dir") : "s3://" + bucket + "/flink/checkpoints";
        stateBackend = oneOf(v, "state-backend", List.of("rocksdb", "hashmap"));
        dedupTtl = duration(v, "dedup-ttl");
        parallelism = v.get("parallelism") == null ? null : integer(v, "parallelism", 1, 1024);
        runId = UUID.randomUUID().toString();
    }

    /** Parses {@code --name value} / {@code --name=value} arguments over the environment. */
    public static BronzeSettings parse(String[] args, Map<String, String> env) {
        return new BronzeSettings(resolve(args, env, List.of()), env);
    }

    /** Like {@link #parse} but leaves options in {@code extra} (names without dashes) for the caller. */
    static Map<String, String> resolve(String[] args, Map<String, String> env, List<String> extra) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new BadSetting("unexpected argument '" + a + "' (options look like --name value; see --help)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            String key = name;
            if (OPTIONS.stream().noneMatch(o -> o.name().equals(key)) && !extra.contains(key)) {
                throw new BadSetting("unknown option --" + name + " (see --help)");
            }
            given.put(name, value);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            String value = given.containsKey(o.name()) ? given.get(o.name()) : env.getOrDefault(o.env(), o.defaultValue());
            if (value != null && !value.isBlank()) {
                values.put(o.name(), value.trim());
            }
        }
        for (String e : extra) {
            if (given.containsKey(e)) {
                values.put(e, given.get(e));
            }
        }
        return values;
    }

    public static String help(String command) {
        StringBuilder b = new StringBuilder("Usage: " + command + " [--option value ...]\n"
                + "Every option can also come from the environment variable in brackets; arguments win.\n\n");
        for (Option o : OPTIONS) {
            b.append(String.format("  --%-22s [%s] %s%s%n", o.name(), o.env(), o.help(),
                    o.defaultValue() == null ? "" : " (default " + o.defaultValue() + ")"));
        }
        return b.toString();
    }

    public String jdbcUrl() { return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDatabase; }

    public String pgPassword() { return pgPassword; }

    public String s3AccessKey() { return s3AccessKey; }

    public String s3SecretKey() { return s3SecretKey; }

    /** The lake as Flink's S3 filesystem addresses it. */
    public String lakeUri() { return "s3://" + bucket; }

    @Override
    public String toString() {
        return "BronzeSettings{pg=" + pgHost + ":" + pgPort + "/" + pgDatabase + " user=" + pgUser
                + " table=" + pgSchema + "." + pgTable + " slot=" + slotName + " publication=" + publication
                + " startup=" + startup + " lake=" + lakeUri() + " s3Endpoint=" + s3Endpoint
                + " checkpointInterval=" + checkpointInterval + " checkpointDir=" + checkpointDir
                + " stateBackend=" + stateBackend + " dedupTtl=" + dedupTtl + " parallelism=" + parallelism
                + " runId=" + runId + " (secrets hidden)}";
    }

    private static BadSetting bad(String name, String why) {
        Option o = OPTIONS.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        return new BadSetting("--" + name + " (" + o.env() + ") " + why);
    }

    private static String required(Map<String, String> v, String name) {
        String value = v.get(name);
        if (value == null) {
            throw bad(name, "is required");
        }
        return value;
    }

    private static int integer(Map<String, String> v, String name, int min, int max) {
        String value = required(v, name);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw bad(name, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(name, "must be a whole number, got '" + value + "'");
        }
    }

    private static boolean bool(Map<String, String> v, String name) {
        return parseValue(v, name, s -> switch (s.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false, got '" + s + "'");
        });
    }

    private static Duration duration(Map<String, String> v, String name) {
        Duration d = parseValue(v, name, Durations::parse);
        if (d.isZero()) {
            throw bad(name, "must be longer than zero");
        }
        return d;
    }

    private static String oneOf(Map<String, String> v, String name, List<String> allowed) {
        String value = required(v, name);
        if (!allowed.contains(value)) {
            throw bad(name, "must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    private static String identifier(Map<String, String> v, String name) {
        String value = required(v, name);
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw bad(name, "must be a lower-case PostgreSQL identifier, got '" + value + "'");
        }
        return value;
    }

    private static <T> T parseValue(Map<String, String> v, String name, Function<String, T> parser) {
        String value = required(v, name);
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw bad(name, e.getMessage());
        }
    }

    private static String secret(Map<String, String> v, Map<String, String> env, String fileOption, String envName) {
        String file = v.get(fileOption);
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw bad(fileOption, "cannot be read: " + e.getMessage());
            }
        }
        String value = env.get(envName);
        return value == null || value.isBlank() ? null : value;
    }
}
