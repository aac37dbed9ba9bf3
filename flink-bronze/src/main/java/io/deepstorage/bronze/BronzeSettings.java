package io.deepstorage.bronze;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

/**
 * The bronze job's configuration, from arguments (which win) and the environment, validated at start. A bad or
 * missing setting is a {@link SettingException} whose message is one line naming the setting. Secrets come only from the
 * environment or mounted files, and {@link #toString()} never shows them.
 */
public final class BronzeSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("pg-host", "PG_HOST", "localhost", "PostgreSQL host of the outbox"),
            OptionSpec.value("pg-port", "PG_PORT", "5432", "PostgreSQL port"),
            OptionSpec.value("pg-database", "PG_DATABASE", null, "database holding stop_events (required)"),
            OptionSpec.value("pg-user", "PG_USER", null, "replication-capable user (required)"),
            OptionSpec.value("pg-password-file", "PG_PASSWORD_FILE", null, "file holding the password; else env PG_PASSWORD"),
            OptionSpec.value("pg-schema", "PG_SCHEMA", "public", "schema of the outbox table"),
            OptionSpec.value("pg-table", "PG_TABLE", "stop_events", "outbox table"),
            OptionSpec.value("slot-name", "BRONZE_SLOT_NAME", "deep_storage_bronze", "logical replication slot of this job"),
            OptionSpec.value("publication", "BRONZE_PUBLICATION", "deep_storage_bronze", "pre-created publication FOR TABLE stop_events"),
            OptionSpec.value("startup", "BRONZE_STARTUP", "initial", "initial (snapshot, then stream) or latest (stream only)"),
            OptionSpec.value("snapshot-chunk-size", "BRONZE_SNAPSHOT_CHUNK_SIZE", "100000", "rows per snapshot chunk"),
            OptionSpec.value("snapshot-fetch-size", "BRONZE_SNAPSHOT_FETCH_SIZE", "10000", "rows per snapshot fetch"),
            OptionSpec.value("heartbeat-interval", "BRONZE_HEARTBEAT_INTERVAL", "30s", "heartbeat that moves the slot on while the outbox is quiet, so PostgreSQL can recycle WAL"),
            OptionSpec.value("bucket", "S3_BUCKET", null, "bucket of the lake (required)"),
            OptionSpec.value("s3-endpoint", "S3_ENDPOINT", null, "S3 endpoint; when set the job configures the S3 filesystem itself (local runs); in a Flink cluster set s3.* in the Flink configuration"),
            OptionSpec.value("path-style", "S3_PATH_STYLE", "true", "path-style S3 access"),
            OptionSpec.value("s3-access-key-file", "S3_ACCESS_KEY_FILE", null, "file holding the S3 access key; else env AWS_ACCESS_KEY_ID"),
            OptionSpec.value("s3-secret-key-file", "S3_SECRET_KEY_FILE", null, "file holding the S3 secret key; else env AWS_SECRET_ACCESS_KEY"),
            OptionSpec.value("checkpoint-interval", "BRONZE_CHECKPOINT_INTERVAL", "30s", "exactly-once checkpoint interval; bronze files appear at each checkpoint"),
            OptionSpec.value("checkpoint-dir", "BRONZE_CHECKPOINT_DIR", null, "checkpoint storage (default s3://<bucket>/flink/checkpoints)"),
            OptionSpec.value("state-backend", "BRONZE_STATE_BACKEND", "rocksdb", "rocksdb (incremental checkpoints) or hashmap"),
            OptionSpec.value("dedup-ttl", "BRONZE_DEDUP_TTL", "7d", "how long an event_id is remembered for dropping duplicates"),
            OptionSpec.value("parallelism", "BRONZE_PARALLELISM", null, "job parallelism (default: the cluster's)"));

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

    private BronzeSettings(CommandLine v, Map<String, String> env) {
        pgHost = required(v, "pg-host");
        pgPort = integer(v, "pg-port", 1, 65535);
        pgDatabase = required(v, "pg-database");
        pgUser = required(v, "pg-user");
        pgPassword = secret(v, env, "pg-password-file", "PG_PASSWORD");
        pgSchema = required(v, "pg-schema");
        pgTable = required(v, "pg-table");
        slotName = identifier(v, "slot-name");
        publication = identifier(v, "publication");
        startup = oneOf(v, "startup", List.of("initial", "latest"));
        snapshotChunkSize = integer(v, "snapshot-chunk-size", 1, Integer.MAX_VALUE);
        snapshotFetchSize = integer(v, "snapshot-fetch-size", 1, Integer.MAX_VALUE);
        heartbeatInterval = duration(v, "heartbeat-interval");
        bucket = required(v, "bucket");
        s3Endpoint = v.get("s3-endpoint").orElse(null);
        if (s3Endpoint != null && !s3Endpoint.startsWith("http://") && !s3Endpoint.startsWith("https://")) {
            throw bad(v, "s3-endpoint", "must start with http:// or https://, got '" + s3Endpoint + "'");
        }
        pathStyle = v.bool("path-style");
        s3AccessKey = secret(v, env, "s3-access-key-file", "AWS_ACCESS_KEY_ID");
        s3SecretKey = secret(v, env, "s3-secret-key-file", "AWS_SECRET_ACCESS_KEY");
        if (s3Endpoint != null && (s3AccessKey == null || s3SecretKey == null)) {
            throw new SettingException("--s3-endpoint is set but the S3 keys are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --s3-access-key-file / --s3-secret-key-file)");
        }
        checkpointInterval = duration(v, "checkpoint-interval");
        checkpointDir = v.get("checkpoint-dir").orElse("s3://" + bucket + "/flink/checkpoints");
        stateBackend = oneOf(v, "state-backend", List.of("rocksdb", "hashmap"));
        dedupTtl = duration(v, "dedup-ttl");
        parallelism = v.get("parallelism").isEmpty() ? null : integer(v, "parallelism", 1, 1024);
        runId = UUID.randomUUID().toString();
    }

    /** Parses {@code --name value} / {@code --name=value} arguments over the environment. */
    public static BronzeSettings parse(String[] args, Map<String, String> env) {
        return from(CommandLine.parse(args, env, OPTIONS), env);
    }

    /** From options already parsed (a command may declare more options than {@link #OPTIONS}). */
    public static BronzeSettings from(CommandLine options, Map<String, String> env) {
        return new BronzeSettings(options, env);
    }

    public static String help(String command) {
        return CommandLine.helpText(command, "The bronze job: stop_events outbox (CDC) → bronze Parquet on S3.", OPTIONS);
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

    private static SettingException bad(CommandLine v, String name, String why) {
        return new SettingException(v.spec(name).label() + " " + why);
    }

    private static String required(CommandLine v, String name) {
        return v.required(name);
    }

    private static int integer(CommandLine v, String name, int min, int max) {
        String value = required(v, name);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw bad(v, name, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(v, name, "must be a whole number, got '" + value + "'");
        }
    }

    private static Duration duration(CommandLine v, String name) {
        Duration d = parseValue(v, name, Durations::parse);
        if (d.isZero()) {
            throw bad(v, name, "must be longer than zero");
        }
        return d;
    }

    private static String oneOf(CommandLine v, String name, List<String> allowed) {
        String value = required(v, name);
        if (!allowed.contains(value)) {
            throw bad(v, name, "must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    private static String identifier(CommandLine v, String name) {
        String value = required(v, name);
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw bad(v, name, "must be a lower-case PostgreSQL identifier, got '" + value + "'");
        }
        return value;
    }

    private static <T> T parseValue(CommandLine v, String name, Function<String, T> parser) {
        String value = required(v, name);
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw bad(v, name, e.getMessage());
        }
    }

    private static String secret(CommandLine v, Map<String, String> env, String fileOption, String envName) {
        String file = v.get(fileOption).orElse(null);
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw bad(v, fileOption, "cannot be read: " + e.getMessage());
            }
        }
        String value = env.get(envName);
        return value == null || value.isBlank() ? null : value;
    }
}
