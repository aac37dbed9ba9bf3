package io.deepstorage.bronze;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.Database;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.LakeLayout;

/**
 * The bronze job's configuration, from arguments (which win) and the environment, validated at start. A bad or
 * missing setting is a {@link SettingException} whose message is one line naming the setting. Secrets come only from the
 * environment or mounted files, and {@link #toString()} never shows them.
 */
public final class BronzeSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where the outbox database is and who connects: shared with the commands that look at its slot. */
    public static final List<OptionSpec> DATABASE_OPTIONS = List.of(
            OptionSpec.value("pg-host", "PG_HOST", "localhost", "PostgreSQL host of the outbox"),
            OptionSpec.value("pg-port", "PG_PORT", "5432", "PostgreSQL port"),
            OptionSpec.value("pg-database", "PG_DATABASE", null, "database holding stop_events (required)"),
            OptionSpec.value("pg-user", "PG_USER", null, "replication-capable user (required)"),
            OptionSpec.value("pg-password-file", "PG_PASSWORD_FILE", null, "file holding the password; else env PG_PASSWORD"));
    public static final OptionSpec PG_SCHEMA = OptionSpec.value("pg-schema", "PG_SCHEMA", "public", "schema of the outbox table");
    public static final OptionSpec PG_TABLE = OptionSpec.value("pg-table", "PG_TABLE", "stop_events", "outbox table");
    public static final OptionSpec SLOT_NAME =
            OptionSpec.value("slot-name", "BRONZE_SLOT_NAME", "deep_storage_bronze", "logical replication slot of this job");

    /** The job's own options; the lake endpoint's ({@link LakeEndpoint#OPTIONS}) come with them in {@link #OPTIONS}. */
    static final List<OptionSpec> JOB_OPTIONS = Stream.concat(DATABASE_OPTIONS.stream(), Stream.of(
            PG_SCHEMA,
            PG_TABLE,
            SLOT_NAME,
            OptionSpec.value("publication", "BRONZE_PUBLICATION", "deep_storage_bronze", "pre-created publication FOR TABLE stop_events"),
            OptionSpec.value("startup", "BRONZE_STARTUP", "initial", "initial (snapshot, then stream) or latest (stream only)"),
            OptionSpec.value("snapshot-chunk-size", "BRONZE_SNAPSHOT_CHUNK_SIZE", "25000", "rows per snapshot chunk (a chunk is held in memory until its backfill ends; the fastest at -Xmx1g, docs/benchmarks.md)"),
            OptionSpec.value("snapshot-fetch-size", "BRONZE_SNAPSHOT_FETCH_SIZE", "10000", "rows per snapshot fetch"),
            OptionSpec.value("heartbeat-interval", "BRONZE_HEARTBEAT_INTERVAL", "30s", "heartbeat that moves the slot on while the outbox is quiet, so PostgreSQL can recycle WAL"),
            OptionSpec.value("checkpoint-interval", "BRONZE_CHECKPOINT_INTERVAL", "30s", "exactly-once checkpoint interval; bronze files appear at each checkpoint"),
            OptionSpec.value("checkpoint-dir", "BRONZE_CHECKPOINT_DIR", null, "checkpoint storage (default s3://<bucket>/flink/checkpoints)"),
            OptionSpec.value("savepoint-dir", "BRONZE_SAVEPOINT_DIR", null, "where a stop takes its savepoint (default s3://<bucket>/flink/savepoints)"),
            OptionSpec.value("state-backend", "BRONZE_STATE_BACKEND", "rocksdb", "rocksdb (incremental checkpoints) or hashmap"),
            OptionSpec.value("dedup-ttl", "BRONZE_DEDUP_TTL", "7d", "how long an event_id is remembered for dropping duplicates"),
            OptionSpec.value("parallelism", "BRONZE_PARALLELISM", null, "job parallelism (default: the cluster's)"))).toList();

    /** Every option of the bronze job: the lake endpoint's (bucket, S3) and its own. */
    public static final List<OptionSpec> OPTIONS = Stream.concat(LakeEndpoint.OPTIONS.stream(), JOB_OPTIONS.stream()).toList();

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
    /** S3 endpoint and keys: the job configures Flink's S3 filesystem itself only when an endpoint is set. */
    private final LakeEndpoint lake;
    public final Duration checkpointInterval;
    public final String checkpointDir;
    public final String savepointDir;
    public final String stateBackend;
    public final Duration dedupTtl;
    public final Integer parallelism;
    public final String runId;

    private BronzeSettings(CommandLine v) {
        Database db = database(v);
        pgHost = v.required("pg-host");
        pgPort = v.integer("pg-port", 1, 65535);
        pgDatabase = v.required("pg-database");
        pgUser = db.user();
        pgPassword = db.password();
        pgSchema = v.identifier("pg-schema");
        pgTable = v.identifier("pg-table");
        slotName = v.identifier("slot-name");
        publication = v.identifier("publication");
        startup = v.oneOf("startup", List.of("initial", "latest"));
        snapshotChunkSize = v.integer("snapshot-chunk-size", 1, Integer.MAX_VALUE);
        snapshotFetchSize = v.integer("snapshot-fetch-size", 1, Integer.MAX_VALUE);
        heartbeatInterval = v.duration("heartbeat-interval");
        lake = LakeEndpoint.from(v);
        bucket = lake.bucket(v);
        checkpointInterval = v.duration("checkpoint-interval");
        checkpointDir = v.get("checkpoint-dir").orElse(LakeLayout.uri("s3", bucket, LakeLayout.FLINK_CHECKPOINTS));
        savepointDir = v.get("savepoint-dir").orElse(LakeLayout.uri("s3", bucket, LakeLayout.FLINK_SAVEPOINTS));
        stateBackend = v.oneOf("state-backend", List.of("rocksdb", "hashmap"));
        dedupTtl = v.duration("dedup-ttl");
        parallelism = v.optionalInteger("parallelism", 1, 1024).orElse(null);
        runId = UUID.randomUUID().toString();
    }

    /** Parses {@code --name value} / {@code --name=value} arguments over the environment. */
    public static BronzeSettings parse(String[] args, Map<String, String> env) {
        return from(CommandLine.parse(args, env, OPTIONS));
    }

    /** From options already parsed (a command may declare more options than {@link #OPTIONS}). */
    public static BronzeSettings from(CommandLine options) {
        return new BronzeSettings(options);
    }

    public static String help(String command) {
        return CommandLine.helpText(command, "The bronze job: stop_events outbox (CDC) → bronze Parquet on S3.", OPTIONS);
    }

    /** The outbox database. */
    public Database database() { return Database.of(pgHost, pgPort, pgDatabase, pgUser, pgPassword); }

    /** The outbox database from {@link #DATABASE_OPTIONS} already parsed. */
    public static Database database(CommandLine v) {
        return Database.of(v.required("pg-host"), v.integer("pg-port", 1, 65535), v.required("pg-database"),
                v.required("pg-user"), v.secret("pg-password-file", "PG_PASSWORD").orElse(null));
    }

    public String pgPassword() { return pgPassword; }

    /** The object store, when the job is to configure Flink's S3 filesystem itself (an endpoint is set). */
    public LakeEndpoint lakeEndpoint() { return lake; }

    /** The lake as Flink's S3 filesystem addresses it. */
    public String lakeUri() { return "s3://" + bucket; }

    @Override
    public String toString() {
        return "BronzeSettings{pg=" + pgHost + ":" + pgPort + "/" + pgDatabase + " user=" + pgUser
                + " table=" + pgSchema + "." + pgTable + " slot=" + slotName + " publication=" + publication
                + " startup=" + startup + " lake=" + lakeUri() + " s3Endpoint=" + lake.endpoint().orElse("(the cluster's)")
                + " checkpointInterval=" + checkpointInterval + " checkpointDir=" + checkpointDir + " savepointDir=" + savepointDir
                + " stateBackend=" + stateBackend + " dedupTtl=" + dedupTtl + " parallelism=" + parallelism
                + " runId=" + runId + " (secrets hidden)}";
    }
}
