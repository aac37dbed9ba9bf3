package io.debezium.connector.postgresql.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;

/**
 * Deep Storage's resume-position rule (FLINK-39265), driven the way Flink CDC's streaming source drives it: a search
 * over the stream from the stored position, then the same stream again, filtered. The streams are shaped as pgoutput
 * sends them from PostgreSQL 15 on: a transaction's BEGIN carries its first change's LSN, and a commit LSN is where
 * the next WAL record starts.
 */
class WalPositionLocatorTest {

    @Test
    void theFirstChangeOfTheTransactionAfterAStoredCommitArrivesThoughItSharesTheCommitLsn() {
        // Stopped with a savepoint at commit 100; the app's next transaction starts right there.
        List<Message> wal = List.of(begin(100), insert(100), insert(110), insert(120), commit(130));
        assertThat(changesDelivered(new WalPositionLocator(lsn(100), lsn(100)), wal)).containsExactly(100L, 110L, 120L);
    }

    @Test
    void aCheckpointBetweenChangesThatShareOneLsnReplaysTheirTransaction() {
        // COPY writes several rows in one WAL record; one of them was processed before the checkpoint.
        List<Message> wal = List.of(begin(200), insert(200), insert(200), insert(200), commit(230));
        assertThat(changesDelivered(new WalPositionLocator(lsn(150), lsn(200)), wal)).containsExactly(200L, 200L, 200L);
    }

    @Test
    void aCheckpointInsideATransactionLosesNoneOfTheChangesAfterIt() {
        // Replaying the changes up to the checkpoint is allowed (bronze drops them by event_id); losing one is not.
        List<Message> wal = List.of(begin(200), insert(200), insert(210), insert(220), commit(230),
                begin(230), insert(230), commit(240));
        assertThat(changesDelivered(new WalPositionLocator(lsn(150), lsn(210)), wal)).endsWith(220L, 230L);
    }

    @Test
    void anUnprocessedHeartbeatTransactionBeforeTheAppsTransactionLosesNothing() {
        // The heartbeat's message is dropped by its prefix in the decoder: only its BEGIN and COMMIT are seen.
        List<Message> wal = List.of(begin(100), commit(108), begin(108), insert(108), insert(118), commit(128));
        assertThat(changesDelivered(new WalPositionLocator(lsn(100), lsn(100)), wal)).containsExactly(108L, 118L);
    }

    @Test
    void aTransactionThatBeganBeforeTheStoredCommitAndCommittedAfterItArrivesWhole() {
        List<Message> wal = List.of(begin(90), insert(90), insert(105), commit(140));
        assertThat(changesDelivered(new WalPositionLocator(lsn(100), lsn(100)), wal)).containsExactly(90L, 105L);
    }

    @Test
    void withoutAStoredCommitEverythingSentIsReplayed() {
        // The position taken at the end of the snapshot has an LSN but no commit.
        List<Message> wal = List.of(begin(300), insert(300), commit(310), begin(310), insert(310), commit(320));
        assertThat(changesDelivered(new WalPositionLocator(null, lsn(300)), wal)).containsExactly(300L, 310L);
    }

    @Test
    void theSearchWaitsForACommitAfterTheStoredOne() {
        WalPositionLocator locator = new WalPositionLocator(lsn(100), lsn(100));
        assertThat(locator.resumeFromLsn(lsn(100), begin(100))).isEmpty();
        assertThat(locator.resumeFromLsn(lsn(100), insert(100))).isEmpty();
        assertThat(locator.resumeFromLsn(lsn(120), commit(120))).contains(lsn(100));
    }

    @Test
    void theCopyOnTheClasspathIsDeepStoragesNotDebeziums() throws Exception {
        assertThat(WalPositionLocator.class.getField("RESUME_RULE").get(null)).asString().contains("first transaction");
    }

    /**
     * The search over {@code wal}, then the same stream filtered as Debezium's pgoutput decoder filters it (BEGIN and
     * COMMIT always pass, other messages when {@link WalPositionLocator#skipMessage} lets them): the LSNs of the
     * changes that reach the source.
     */
    private static List<Long> changesDelivered(WalPositionLocator locator, List<Message> wal) {
        Optional<Lsn> resume = Optional.empty();
        for (Message m : wal) {
            resume = locator.resumeFromLsn(m.lsn, m);
            if (resume.isPresent()) {
                break;
            }
        }
        assertThat(resume).as("a resume position is found").isPresent();
        locator.enableFiltering();
        List<Long> delivered = new ArrayList<>();
        for (Message m : wal) {
            boolean skipped = locator.skipMessage(m.lsn);
            if (!skipped && m.operation == Operation.INSERT) {
                delivered.add(m.lsn.asLong());
            }
        }
        return delivered;
    }

    private static Lsn lsn(long v) {
        return Lsn.valueOf(v);
    }

    private static Message begin(long lsn) {
        return new Message(lsn(lsn), Operation.BEGIN);
    }

    private static Message insert(long lsn) {
        return new Message(lsn(lsn), Operation.INSERT);
    }

    private static Message commit(long lsn) {
        return new Message(lsn(lsn), Operation.COMMIT);
    }

    /** A pgoutput message as the locator sees it: its LSN and operation. */
    private record Message(Lsn lsn, Operation operation) implements ReplicationMessage {
        @Override public Operation getOperation() { return operation; }
        @Override public Instant getCommitTime() { return Instant.EPOCH; }
        @Override public OptionalLong getTransactionId() { return OptionalLong.of(1); }
        @Override public String getTable() { return "public.stop_events"; }
        @Override public List<Column> getOldTupleList() { return List.of(); }
        @Override public List<Column> getNewTupleList() { return List.of(); }
        @Override public boolean hasTypeMetadata() { return true; }
        @Override public boolean isLastEventForLsn() { return true; }
    }
}
