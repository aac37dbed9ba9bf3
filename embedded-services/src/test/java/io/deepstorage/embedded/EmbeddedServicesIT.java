package io.deepstorage.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServicesIT {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = EmbeddedPostgres.start("outbox");
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void postgresRunsWithLogicalWalAndTheOutboxTable() throws SQLException {
        try (Connection c = pg.connect()) {
            OutboxSchema.create(c);
            assertThat(scalar(c, "SHOW wal_level")).isEqualTo("logical");
            assertThat(scalar(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'stop_events'")).isEqualTo("20");
            assertThat(scalar(c, "SELECT count(*) FROM pg_publication WHERE pubname = 'deep_storage_bronze'")).isEqualTo("1");
        }
    }

    @Test
    void generatorCommitsWhatItReportsAndRollsBackFailedAttempts() throws SQLException {
        try (Connection c = pg.connect()) {
            OutboxSchema.create(c);
            c.createStatement().execute("TRUNCATE stop_events");
        }
        var options = OutboxTrafficGenerator.Options.defaults(600).withMalformed(2).withFirstOperationId(10_000);
        var result = new OutboxTrafficGenerator(this::connect, options).run();
        try (Connection c = pg.connect()) {
            assertThat(Long.parseLong(scalar(c, "SELECT count(*) FROM stop_events"))).isEqualTo(result.events());
            // a lone FAILED exists: an operation with FAILED but no committed trigger before it
            assertThat(Long.parseLong(scalar(c, "SELECT count(DISTINCT operation_id) FROM stop_events f WHERE event_type = 'FAILED'"
                    + " AND NOT EXISTS (SELECT 1 FROM stop_events t WHERE t.operation_id = f.operation_id AND t.event_type = 'STOP_TRIGGERED'"
                    + " AND t.execution_token = f.execution_token)"))).isPositive();
            assertThat(Long.parseLong(scalar(c, "SELECT count(*) FROM stop_events WHERE event_seq IS NULL"))).isPositive();
            assertThat(Long.parseLong(scalar(c, "SELECT count(*) FROM stop_events WHERE symbol = ' '"))).isEqualTo(2);
        }
        assertThat(result.expectedStatus().values()).contains("EXECUTED", "FAILED", "BLOCKED");
        assertThat(result.rolledBackTransactions()).isPositive();
        assertThat(result.redelivered()).isEqualTo(2);
        assertThat(result.lateCommits()).isEqualTo(2);
    }

    @Test
    void s3ServerKeepsObjectsAsFilesInTheBucketFolder(@TempDir Path dir) throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(dir, "lake")) {
            assertThat(s3.endpoint()).startsWith("http://127.0.0.1:");
            Blob blob = s3.blobStore().blobBuilder("bronze/events/x.txt").payload("hello").build();
            s3.blobStore().putBlob("lake", blob);
            assertThat(Files.readString(s3.bucketDir().resolve("bronze/events/x.txt"))).isEqualTo("hello");
            // The HTTP side answers too: an unsigned request is refused by the server, not by a missing socket.
            var conn = (java.net.HttpURLConnection) new java.net.URL(s3.endpoint() + "/lake/bronze/events/x.txt").openConnection();
            assertThat(conn.getResponseCode()).isEqualTo(403);
        }
    }

    private Connection connect() {
        try {
            return pg.connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

}
