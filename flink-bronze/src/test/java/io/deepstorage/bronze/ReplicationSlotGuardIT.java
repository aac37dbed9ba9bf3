package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

import io.deepstorage.cli.Database;
import io.deepstorage.embedded.EmbeddedPostgres;

/**
 * The slot guard's checkpoint check on a real PostgreSQL, with a real walsender (a pgoutput replication stream
 * opened the way Debezium opens it): Debezium drops and reopens its replication connection once after its WAL
 * position search, so a checkpoint in that moment waits for the walsender and is taken; a checkpoint while no
 * walsender comes back is declined.
 */
class ReplicationSlotGuardIT {
    static final String SLOT = "guard_test";
    static final Duration GRACE = Duration.ofSeconds(5);
    static EmbeddedPostgres postgres;
    static Database database;
    Walsender walsender;

    @BeforeAll
    static void start() throws SQLException {
        postgres = EmbeddedPostgres.start("guard");
        database = new Database(postgres.jdbcUrl(), postgres.user(), postgres.password());
        try (Connection c = postgres.connect()) {
            c.createStatement().execute("CREATE PUBLICATION guard_pub FOR ALL TABLES");
            c.createStatement().execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @AfterEach
    void closeWalsender() throws Exception {
        if (walsender != null) {
            walsender.close();
        }
    }

    @Test
    void aCheckpointWhileTheSourceReconnectsWaitsForTheWalsenderAndIsTaken() throws Exception {
        walsender = Walsender.open();
        try (var guard = guardThatHasSeenTheSlotStreaming()) {
            walsender.close();
            awaitSlotInactive();
            CompletableFuture<Walsender> reconnected = CompletableFuture.supplyAsync(() -> {
                sleep(Duration.ofMillis(1500));
                return Walsender.open();
            });
            long started = System.nanoTime();
            guard.snapshot(1, 1);
            walsender = reconnected.get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the checkpoint waited for the walsender")
                    .isGreaterThan(Duration.ofSeconds(1)).isLessThan(GRACE);
        }
    }

    @Test
    void aCheckpointWhileNoWalsenderComesBackIsDeclined() throws Exception {
        walsender = Walsender.open();
        try (var guard = guardThatHasSeenTheSlotStreaming()) {
            walsender.close();
            walsender = null;
            awaitSlotInactive();
            Throwable declined = catchThrowable(() -> guard.snapshot(2, 2));
            assertThat(ExceptionUtils.findThrowableWithMessage(declined, "declining checkpoint 2")).isPresent();
            assertThat(ExceptionUtils.stringifyException(declined)).contains("has had no walsender for 5 s");
        }
    }

    /** A guard whose first tick saw the slot streaming (a checkpoint before that is never declined). */
    private static OneInputStreamOperatorTestHarness<OutboxChange, OutboxChange> guardThatHasSeenTheSlotStreaming()
            throws Exception {
        await("the walsender streaming", ReplicationSlotGuardIT::slotStreaming);
        var guard = new OneInputStreamOperatorTestHarness<OutboxChange, OutboxChange>(
                new ReplicationSlotGuard(database, SLOT, Duration.ofSeconds(1), Duration.ofMinutes(5), GRACE));
        guard.open();
        guard.setProcessingTime(1_000); // the first tick
        return guard;
    }

    private static boolean slotStreaming() throws SQLException {
        try (Connection c = postgres.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT EXISTS (SELECT 1 FROM pg_replication_slots s"
                     + " JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = '" + SLOT + "'"
                     + " AND r.state IN ('catchup', 'streaming'))")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void awaitSlotInactive() throws Exception {
        await("the slot released", () -> {
            try (Connection c = postgres.connect();
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT active FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
                return rs.next() && !rs.getBoolean(1);
            }
        });
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("%s within 30 s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A logical replication connection streaming from the slot, as Debezium's. */
    record Walsender(Connection connection, PGReplicationStream stream) implements AutoCloseable {
        static Walsender open() {
            try {
                Properties p = new Properties();
                PGProperty.USER.set(p, postgres.user());
                PGProperty.PASSWORD.set(p, postgres.password());
                PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
                PGProperty.REPLICATION.set(p, "database");
                PGProperty.PREFER_QUERY_MODE.set(p, "simple");
                Connection c = DriverManager.getConnection(postgres.jdbcUrl(), p);
                PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                        .logical().withSlotName(SLOT).withSlotOption("proto_version", "1")
                        .withSlotOption("publication_names", "guard_pub").withStatusInterval(1, TimeUnit.SECONDS)
                        .start();
                return new Walsender(c, stream);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws SQLException {
            stream.close();
            connection.close();
        }
    }
}
