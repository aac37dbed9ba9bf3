package io.deepstorage.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

/** What the local run takes; every option is optional, the defaults run everything embedded. */
public record LocalPipelineOptions(int events, Path lakeDir, String bucket, long seed, String checkpointInterval,
                                   String postgresUrl, String pgUser, String pgPassword, String s3Endpoint,
                                   String s3AccessKey, String s3SecretKey, boolean load, String goldAsOf,
                                   String slotName, long timeoutSeconds) {
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("events", null, "5000", "outbox events to generate; 70 % before bronze starts, the rest live"),
            OptionSpec.value("lake", null, "lake", "folder the embedded S3 server keeps the lake in; stays afterwards"),
            OptionSpec.value("bucket", null, "lake", "lake bucket"),
            OptionSpec.value("seed", null, "42", "traffic generator seed"),
            OptionSpec.value("checkpoint-interval", null, "2s", "bronze checkpoint interval"),
            OptionSpec.value("postgres-url", null, null, "use this PostgreSQL (jdbc:postgresql://host:port/db) instead of the"
                    + " embedded one; password from env PG_PASSWORD"),
            OptionSpec.value("pg-user", null, "postgres", "user for --postgres-url"),
            OptionSpec.value("s3-endpoint", null, null, "use this S3 instead of the embedded one; keys from env"
                    + " AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the bucket must exist"),
            OptionSpec.flag("no-load", null, "don't generate traffic: run over what the outbox already holds"),
            OptionSpec.value("gold-as-of", null, null, "gold's as-of time (ISO-8601; default now)"),
            OptionSpec.value("slot-name", null, "deep_storage_local", "bronze replication slot"),
            OptionSpec.value("timeout-seconds", null, "900", "how long any one step may take"));

    static String help() {
        return CommandLine.helpText("./run-local", "Runs the whole pipeline: outbox traffic in PostgreSQL → bronze (Flink)"
                + " → silver (Spark) → gold (Spark), each job in its own JVM, and prints what each step did.", OPTIONS);
    }

    public static LocalPipelineOptions parse(String[] args, Map<String, String> env) {
        // Only the secrets come from the environment: a local run never picks up a deployment's S3_* or PG_* settings.
        CommandLine v = CommandLine.parse(args, Map.of(), OPTIONS);
        String s3Endpoint = v.get("s3-endpoint").orElse(null);
        String accessKey = env.get("AWS_ACCESS_KEY_ID");
        String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
        if (s3Endpoint != null && (accessKey == null || secretKey == null)) {
            throw new SettingException("--s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
        }
        String url = v.get("postgres-url").orElse(null);
        if (url != null && !url.startsWith("jdbc:postgresql://")) {
            throw v.bad("postgres-url", "must start with jdbc:postgresql://, got '" + url + "'");
        }
        String bucket = v.required("bucket");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw v.bad("bucket", "must be a valid S3 bucket name, got '" + bucket + "'");
        }
        v.duration("checkpoint-interval");
        v.instant("gold-as-of");
        return new LocalPipelineOptions(
                v.integer("events", 1, 100_000_000),
                Path.of(v.required("lake")).toAbsolutePath().normalize(),
                bucket,
                v.longInteger("seed", 1, Long.MAX_VALUE),
                v.required("checkpoint-interval"),
                url,
                v.required("pg-user"),
                url == null ? null : env.get("PG_PASSWORD"),
                s3Endpoint, accessKey, secretKey,
                !v.bool("no-load"),
                v.get("gold-as-of").orElse(null),
                v.identifier("slot-name"),
                v.integer("timeout-seconds", 1, 86_400));
    }

    /** Logs of the job processes: beside the lake's bucket folder, never inside it. */
    Path logDir() {
        return lakeDir.resolve("_logs");
    }
}
