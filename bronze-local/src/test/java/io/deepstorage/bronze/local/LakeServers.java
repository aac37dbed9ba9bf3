package io.deepstorage.bronze.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.configuration.Configuration;

import io.deepstorage.bronze.BronzeJob;
import io.deepstorage.bronze.BronzeSettings;

import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;

/**
 * The embedded servers every bronze integration test shares: one PostgreSQL and one S3 server per JVM, started on
 * first use and stopped at exit. Each test gets its own database and bucket so tests don't see each other.
 */
final class LakeServers {
    private static EmbeddedPostgres postgres;
    private static EmbeddedS3 s3;
    private static Configuration flinkConf;
    private static int counter;
    private static final Map<String, String[]> argsByDatabase = new HashMap<>();
    private static final Map<String, String[]> whereByDatabase = new HashMap<>();
    private static final Map<String, Map<String, String>> envByDatabase = new HashMap<>();

    private LakeServers() {}

    static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgres.start("postgres");
        }
        return postgres;
    }

    static synchronized EmbeddedS3 s3() throws Exception {
        if (s3 == null) {
            Path root = Files.createTempDirectory("bronze-it-s3-");
            s3 = EmbeddedS3.start(root, "bootstrap");
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close));
        }
        return s3;
    }

    /** A fresh outbox database and lake bucket, and bronze settings pointing at them. */
    static synchronized BronzeSettings freshOutboxAndLake(String... extraArgs) throws Exception {
        int n = ++counter;
        String db = "outbox_" + n;
        String bucket = "lake-" + n;
        try (Connection c = postgres().connect()) {
            c.createStatement().execute("CREATE DATABASE " + db);
        }
        try (Connection c = java.sql.DriverManager.getConnection(postgres().jdbcUrl(db), "postgres", "postgres")) {
            OutboxSchema.create(c);
        }
        s3().blobStore().createContainerInLocation(null, bucket);
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", s3().accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3().secretKey());
        env.put("PG_PASSWORD", "postgres");
        String[] where = {"--pg-host", postgres().host(), "--pg-port", String.valueOf(postgres().port()),
            "--pg-database", db, "--pg-user", "postgres", "--bucket", bucket, "--s3-endpoint", s3().endpoint()};
        whereByDatabase.put(db, where);
        String[] base = concat(where, new String[] {
            "--checkpoint-interval", "1s", "--heartbeat-interval", "1s", "--snapshot-chunk-size", "500"});
        String[] args = concat(base, extraArgs);
        BronzeSettings settings = BronzeSettings.parse(args, env);
        argsByDatabase.put(settings.pgDatabase, args);
        envByDatabase.put(settings.pgDatabase, env);
        synchronized (LakeServers.class) {
            if (flinkConf == null) {
                flinkConf = BronzeJob.configureS3(settings);
            }
        }
        return settings;
    }

    /** Settings for the same outbox and lake as {@code s}, with other options (the settings of a changed job). */
    static synchronized BronzeSettings sameOutboxAndLake(BronzeSettings s, String... extraArgs) throws Exception {
        return BronzeSettings.parse(concat(argsByDatabase.get(s.pgDatabase), extraArgs), envByDatabase.get(s.pgDatabase));
    }

    /** Where the outbox and lake of {@code s} are: the database and endpoint options alone. */
    static synchronized String[] where(BronzeSettings s, String... more) {
        return concat(whereByDatabase.get(s.pgDatabase), more);
    }

    /** The environment the settings of {@code s} were read with (passwords, keys). */
    static synchronized Map<String, String> env(BronzeSettings s) {
        return envByDatabase.get(s.pgDatabase);
    }

    /** Replay settings for the outbox and lake of {@code s}, with the replay's own options. */
    static synchronized io.deepstorage.bronze.ReplaySettings replay(BronzeSettings s, String... replayArgs) {
        return io.deepstorage.bronze.ReplaySettings.parse(concat(whereByDatabase.get(s.pgDatabase),
                concat(new String[] {"--checkpoint-interval", "1s", "--replay-chunks", "4"}, replayArgs)),
                envByDatabase.get(s.pgDatabase));
    }

    private static String[] concat(String[] base, String[] extra) {
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    static Configuration flinkConf() {
        return flinkConf;
    }

    /** Every event_id in the outbox of {@code s} now. */
    static java.util.Set<String> outboxIds(BronzeSettings s) throws SQLException {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try (Connection c = connect(s); var rs = c.createStatement().executeQuery("SELECT event_id::text FROM stop_events")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    static Connection connect(BronzeSettings s) throws SQLException {
        return s.database().connect();
    }
}
