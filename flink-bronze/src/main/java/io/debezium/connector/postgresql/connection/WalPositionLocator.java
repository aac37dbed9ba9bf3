/*
 * Copyright Debezium Authors.
 *
 * Licensed under the Apache Software License version 2.0, available at http://www.apache.org/licenses/LICENSE-2.0
 *
 * Deep Storage's replacement for Debezium 1.9.8's class of the same name, which Flink CDC 3.2.1 bundles. It keeps the
 * class's name and public methods, because Flink CDC's PostgresStreamingChangeEventSource constructs it; the bronze
 * job jar carries this copy instead of Debezium's (see flink-bronze/pom.xml), and BronzeJob refuses to start if the
 * other one is loaded.
 */
package io.debezium.connector.postgresql.connection;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.debezium.DebeziumException;

/**
 * Finds where a restored source resumes streaming, and filters what the resumed stream re-sends before that point.
 * <p>
 * Debezium 1.9.8 resumes at the first change whose LSN differs from the stored one. With pgoutput, BEGIN and a
 * transaction's first change share an LSN, and a stored commit position can be that very LSN: the first change of the
 * next transaction was then taken for the one already processed and filtered out (FLINK-39265; also changes that share
 * one LSN, as COPY writes them, after a checkpoint between them). Its later fixes (DBZ-5915, DBZ-6204, dbz#1554,
 * dbz#76) need offset fields that Flink CDC does not store.
 * <p>
 * The rule here needs only the stored commit LSN and cannot skip a change: every transaction whose COMMIT is at or
 * before the stored commit LSN was processed whole (the commit position moves only when a COMMIT is processed), and
 * pgoutput sends transactions whole, in commit order. So streaming resumes at the BEGIN of the first transaction that
 * commits after the stored commit LSN. Changes of that transaction processed before the restore arrive a second time;
 * bronze drops them by event_id.
 */
public class WalPositionLocator {

    /** Read by BronzeJob to prove this copy, not Debezium's, is the one loaded. */
    public static final String RESUME_RULE = "resume at the BEGIN of the first transaction committing after the stored commit LSN";

    private static final Logger LOGGER = LoggerFactory.getLogger(WalPositionLocator.class);

    private final Lsn lastCommitStoredLsn;
    private final Lsn lastEventStoredLsn;
    private Lsn txStartLsn = null;
    private Lsn firstLsnReceived = null;
    private boolean passMessages = true;
    private Lsn startStreamingLsn = null;
    private Set<Lsn> lsnSeen = new HashSet<>(1_000);

    public WalPositionLocator(Lsn lastCommitStoredLsn, Lsn lastEventStoredLsn) {
        this.lastCommitStoredLsn = lastCommitStoredLsn;
        this.lastEventStoredLsn = lastEventStoredLsn;
        LOGGER.info("Looking for WAL restart position for last commit LSN '{}' and last change LSN '{}' ({})",
                lastCommitStoredLsn, lastEventStoredLsn, RESUME_RULE);
    }

    public WalPositionLocator() {
        this.lastCommitStoredLsn = null;
        this.lastEventStoredLsn = null;
        LOGGER.info("WAL position will not be searched");
    }

    /**
     * @return the LSN from which processing resumes, or empty while it is not known yet
     */
    public Optional<Lsn> resumeFromLsn(Lsn currentLsn, ReplicationMessage message) {
        LOGGER.trace("Processing LSN '{}', operation '{}'", currentLsn, message.getOperation());
        lsnSeen.add(currentLsn);
        if (firstLsnReceived == null) {
            firstLsnReceived = currentLsn;
            LOGGER.info("First LSN '{}' received", firstLsnReceived);
        }
        if (lastCommitStoredLsn == null) {
            // No commit was stored (a position taken at the end of a snapshot): replay all that is sent.
            startStreamingLsn = firstLsnReceived;
            return Optional.of(startStreamingLsn);
        }
        switch (message.getOperation()) {
            case BEGIN:
                txStartLsn = currentLsn;
                break;
            case COMMIT:
                if (currentLsn.compareTo(lastCommitStoredLsn) > 0) {
                    // A transaction's messages sit between its BEGIN and COMMIT; without a BEGIN seen, replay all.
                    startStreamingLsn = txStartLsn != null ? txStartLsn : firstLsnReceived;
                    LOGGER.info("Received COMMIT LSN '{}' after the stored commit LSN '{}': will restart from LSN '{}',"
                            + " the start of the first transaction not committed before", currentLsn, lastCommitStoredLsn,
                            startStreamingLsn);
                    return Optional.of(startStreamingLsn);
                }
                break;
            default:
                break;
        }
        return Optional.empty();
    }

    /**
     * Whether a message of the resumed stream comes before the located position and was processed before.
     */
    public boolean skipMessage(Lsn lsn) {
        if (passMessages) {
            return false;
        }
        if (startStreamingLsn == null || startStreamingLsn.equals(lsn)) {
            LOGGER.info("Message with LSN '{}' arrived, switching off the filtering", lsn);
            passMessages = true;
            lsnSeen = new HashSet<>(); // it might be large and is no longer needed
            return false;
        }
        if (lsn.isValid() && !lsnSeen.contains(lsn)) {
            throw new DebeziumException(String.format(
                    "Message with LSN '%s' not present among LSNs seen in the location phase '%s'. This is unexpected and can lead to an infinite loop or a data loss.",
                    lsn, lsnSeen));
        }
        LOGGER.debug("Message with LSN '{}' filtered", lsn);
        return true;
    }

    /** Enables filtering of message LSNs based on the located position. */
    public void enableFiltering() {
        passMessages = false;
    }

    /** Whether a stored position has to be located in the stream. */
    public boolean searchingEnabled() {
        return lastEventStoredLsn != null;
    }

    public Lsn getLastEventStoredLsn() {
        return lastEventStoredLsn;
    }

    @Override
    public String toString() {
        return "WalPositionLocator [lastCommitStoredLsn=" + lastCommitStoredLsn + ", lastEventStoredLsn="
                + lastEventStoredLsn + ", txStartLsn=" + txStartLsn + ", firstLsnReceived=" + firstLsnReceived
                + ", passMessages=" + passMessages + ", startStreamingLsn=" + startStreamingLsn + "]";
    }
}
