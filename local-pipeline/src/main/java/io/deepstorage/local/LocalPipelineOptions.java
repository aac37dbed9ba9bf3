package io.deepstorage.local;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** What the local run takes; every option is optional, the defaults run everything embedded. */
public record LocalPipelineOptions(int events, Path lakeDir, String bucket, long seed, String checkpointInterval,
                                   String postgresUrl, String pgUser, String pgPassword, String s3Endpoint,
                                   String s3AccessKey, String s3SecretKey, boolean load, String goldAsOf,
                                   String slotName, long timeoutSeconds, boolean help) {
    static final String HELP = """
            Usage: ./run-local [options]
            Runs the whole pipeline: outbox traffic in PostgreSQL → bronze (Flink) → silver (Spark) → gold (Spark),
            and prints what each step did. Defaults start an embedded PostgreSQL and S3 server.

              --events N               outbox events to generate (default 5000); 70 % before bronze starts, the rest live
              --lake DIR               folder the embedded S3 server keeps the lake in (default ./lake); stays afterwards
              --bucket NAME            lake bucket (default lake)
              --seed N                 traffic generator seed (default 42)
              --checkpoint-interval D  bronze checkpoint interval (default 2s)
              --postgres-url URL       use this PostgreSQL instead of the embedded one (jdbc:postgresql://host:port/db);
                                       user from --pg-user (default postgres), password from env PG_PASSWORD
              --s3-endpoint URL        use this S3 instead of the embedded one; keys from env AWS_ACCESS_KEY_ID /
                                       AWS_SECRET_ACCESS_KEY; the bucket must exist
              --no-load                don't generate traffic: run over what the outbox already holds
              --gold-as-of INSTANT     gold's as-of time (default now)
              --slot-name NAME         bronze replication slot (default deep_storage_local)
              --timeout-seconds N      how long any one step may take (default 900)
            """;

    private static final Set<String> FLAGS = Set.of("no-load", "help");
    private static final Set<String> OPTIONS = Set.of("events", "lake", "bucket", "seed", "checkpoint-interval",
            "postgres-url", "pg-user", "s3-endpoint", "gold-as-of", "slot-name", "timeout-seconds");

    public static LocalPipelineOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h")) {
                a = "--help";
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (see --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name)) {
                v.put(name, "true");
            } else if (OPTIONS.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                v.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + name + " (see --help)");
            }
        }
        String s3Endpoint = v.get("s3-endpoint");
        String accessKey = env.get("AWS_ACCESS_KEY_ID");
        String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
        if (s3Endpoint != null && (accessKey == null || secretKey == null)) {
            throw new IllegalArgumentException("--s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
        }
        String url = v.get("postgres-url");
        if (url != null && !url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("--postgres-url must start with jdbc:postgresql://, got '" + url + "'");
        }
        String bucket = v.getOrDefault("bucket", "lake");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("--bucket must be a valid S3 bucket name, got '" + bucket + "'");
        }
        return new LocalPipelineOptions(
                positive(v, "events", 5000),
                Path.of(v.getOrDefault("lake", "lake")).toAbsolutePath().normalize(),
                bucket,
                positive(v, "seed", 42),
                v.getOrDefault("checkpoint-interval", "2s"),
                url,
                v.getOrDefault("pg-user", "postgres"),
                url == null ? null : env.get("PG_PASSWORD"),
                s3Endpoint, accessKey, secretKey,
                !v.containsKey("no-load"),
                v.get("gold-as-of"),
                v.getOrDefault("slot-name", "deep_storage_local"),
                positive(v, "timeout-seconds", 900),
                v.containsKey("help"));
    }

    /** Logs of the job processes: beside the lake folder, never inside the bucket. */
    Path logDir() {
        return lakeDir.resolve("_logs");
    }

    private static int positive(Map<String, String> v, String name, int dflt) {
        String s = v.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(s.replace("_", ""));
            if (n <= 0) {
                throw new IllegalArgumentException("--" + name + " must be positive, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + s + "'");
        }
    }
}
