package io.deepstorage.bench;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * The decoding limit: reads a pgoutput logical replication stream with PgJDBC's replication API and counts Insert
 * messages (first byte 'I'), nothing else per message; status updates every 50 000 messages.
 */
final class RawDecode {
    private RawDecode() {}

    record Result(long inserts, long messages, double seconds) {}

    static Connection replicationConnection(String jdbcUrl, String user, String password) throws Exception {
        Properties p = new Properties();
        PGProperty.USER.set(p, user);
        PGProperty.PASSWORD.set(p, password);
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    static void createSlot(Connection replication, String slot) throws Exception {
        replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                .withSlotName(slot).withOutputPlugin("pgoutput").make();
    }

    /** Streams the slot from its start until {@code expectedInserts} Insert messages have arrived. */
    static Result read(Connection replication, String slot, String publication, long expectedInserts, long timeoutSeconds) throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long inserts = 0;
        long messages = 0;
        try (PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                .logical().withSlotName(slot)
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", publication)
                .withStatusInterval(10, TimeUnit.SECONDS)
                .start()) {
            while (inserts < expectedInserts) {
                ByteBuffer msg = stream.readPending();
                if (msg == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("raw reader: " + inserts + " of " + expectedInserts + " inserts within " + timeoutSeconds + " s");
                    }
                    Thread.sleep(1);
                    continue;
                }
                messages++;
                if (msg.get(msg.position()) == 'I') {
                    inserts++;
                }
                if (messages % 50_000 == 0) {
                    var lsn = stream.getLastReceiveLSN();
                    stream.setAppliedLSN(lsn);
                    stream.setFlushedLSN(lsn);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            var lsn = stream.getLastReceiveLSN();
            stream.setAppliedLSN(lsn);
            stream.setFlushedLSN(lsn);
            stream.forceUpdateStatus();
            return new Result(inserts, messages, seconds);
        }
    }

}
