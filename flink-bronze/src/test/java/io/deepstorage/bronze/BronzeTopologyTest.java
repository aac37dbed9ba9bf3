package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;

/**
 * The real {@link BronzeJob} topology on a MiniCluster, fed a bounded list of outbox changes, with collecting sinks
 * in place of the Parquet ones. The job runs once for the class; each test checks one rule on what it wrote.
 */
class BronzeTopologyTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BronzeMiniCluster.EXTENSION;

    static final String CREATED = "0b0c3f9e-5a43-4b0e-9a51-000000000001";
    static final String TRIGGERED = "0b0c3f9e-5a43-4b0e-9a51-000000000002";
    static final String SNAPSHOTTED = "0b0c3f9e-5a43-4b0e-9a51-000000000003";
    static final String DELETED = "0b0c3f9e-5a43-4b0e-9a51-000000000004";
    static final String NO_EVENT_TYPE = "0b0c3f9e-5a43-4b0e-9a51-000000000005";
    static final String UNREADABLE = "0b0c3f9e-5a43-4b0e-9a51-000000000006";
    static final String UNREADABLE_PROBLEM = "column retry_count is missing from the source row";

    static CollectingSink<BronzeEvent> events;
    static CollectingSink<DeadLetter> deadLetters;
    static JobExecutionResult result;

    static OutboxChange change(String kind, String eventId, long operationId, String eventType, long lsn) {
        OutboxChange c = OutboxChangeToBronzeTest.change(kind);
        c.eventId = eventId;
        c.operationId = operationId;
        c.eventType = eventType;
        c.commitOrderLsn = lsn;
        c.lsn = lsn;
        return c;
    }

    /**
     * The feed, dealt round-robin into two splits (one per source subtask as a rule): the re-delivery (index 7) is
     * in another split than its first delivery (index 0), so it is the keyBy that brings them to the same dedup state.
     */
    static List<OutboxChange> feed() {
        OutboxChange noEventType = change(OutboxChange.INSERT, NO_EVENT_TYPE, 3, null, 150);
        OutboxChange unreadable = change(OutboxChange.INSERT, UNREADABLE, 3, "STOP_CREATED", 160);
        unreadable.problem = UNREADABLE_PROBLEM;
        unreadable.rawRow = "{\"event_id\": \"" + UNREADABLE + "\"}";
        OutboxChange updated = change(OutboxChange.UPDATE, TRIGGERED, 1, "STOP_TRIGGERED", 200);
        updated.errorMessage = "corrected after the fact";
        return List.of(
                change(OutboxChange.INSERT, CREATED, 1, "STOP_CREATED", 100),
                change(OutboxChange.INSERT, TRIGGERED, 1, "STOP_TRIGGERED", 110),
                change(OutboxChange.SNAPSHOT, SNAPSHOTTED, 2, "STOP_CREATED", 90),
                change(OutboxChange.INSERT, DELETED, 2, "STOP_CANCELLED", 120),
                noEventType,
                unreadable,
                change(OutboxChange.DELETE, DELETED, 2, "STOP_CANCELLED", 190),
                change(OutboxChange.INSERT, CREATED, 1, "STOP_CREATED", 100),
                updated);
    }

    @BeforeAll
    static void runTheJobOverTheFeed(@InjectMiniCluster MiniCluster cluster, @TempDir Path checkpoints) throws Exception {
        BronzeSettings settings = BronzeSettings.parse(new String[] {
                "--state-backend", "hashmap", "--parallelism", "2", "--checkpoint-interval", "200ms",
                "--checkpoint-dir", checkpoints.toUri().toString()}, BronzeSettingsTest.ENV);
        events = CollectingSink.create("BronzeTopologyTest/events");
        deadLetters = CollectingSink.create("BronzeTopologyTest/dead-letters");
        BronzeJob job = new BronzeJob(settings, BoundedListSource.of(OutboxChange.class, 2, feed()), events, deadLetters);
        result = job.executeAsync(new TestStreamEnvironment(cluster, BronzeMiniCluster.SLOTS))
                .getJobExecutionResult().get(2, TimeUnit.MINUTES);
    }

    @AfterAll
    static void forgetTheSinks() {
        events.forget();
        deadLetters.forget();
    }

    @Test
    void everyValidChangeReachesBronzeExactlyOnceAndNothingElseDoes() {
        assertThat(events.collected())
                .extracting(BronzeEvent::getEventId, BronzeEvent::getChangeKind)
                .containsExactlyInAnyOrder(
                        tuple(CREATED, "INSERT"),
                        tuple(TRIGGERED, "INSERT"),
                        tuple(TRIGGERED, "UPDATE"),
                        tuple(SNAPSHOTTED, "SNAPSHOT"),
                        tuple(DELETED, "INSERT"));
    }

    @Test
    void aRedeliveredEventReachesBronzeOnce() {
        assertThat(events.collected()).filteredOn(e -> e.getEventId().equals(CREATED)).hasSize(1);
        assertThat(result.<Long>getAccumulatorResult(DropDuplicateEvents.DUPLICATE_COUNT)).isEqualTo(1L);
    }

    @Test
    void anUpdateThatChangedTheRowReachesBronzeAsANewVersion() {
        assertThat(events.collected())
                .filteredOn(e -> e.getEventId().equals(TRIGGERED))
                .extracting(BronzeEvent::getChangeKind, BronzeEvent::getErrorMessage)
                .containsExactlyInAnyOrder(tuple("INSERT", null), tuple("UPDATE", "corrected after the fact"));
        assertThat(result.<Long>getAccumulatorResult(RouteOutboxChanges.UPDATE_COUNT)).isEqualTo(1L);
    }

    @Test
    void aDeletedRowWritesNothingAndIsOnlyCounted() {
        assertThat(events.collected()).extracting(BronzeEvent::getChangeKind).doesNotContain(OutboxChange.DELETE);
        assertThat(events.collected())
                .filteredOn(e -> e.getEventId().equals(DELETED))
                .extracting(BronzeEvent::getChangeKind)
                .containsExactly("INSERT");
        assertThat(deadLetters.collected()).extracting(DeadLetter::getEventId).doesNotContain(DELETED);
        assertThat(result.<Long>getAccumulatorResult(RouteOutboxChanges.DELETE_COUNT)).isEqualTo(1L);
    }

    @Test
    void malformedChangesGoToTheDeadLettersWithTheirReasonAndNotToBronze() {
        assertThat(deadLetters.collected())
                .extracting(DeadLetter::getEventId, DeadLetter::getReason, DeadLetter::getChangeKind)
                .containsExactlyInAnyOrder(
                        tuple(NO_EVENT_TYPE, "event_type is blank", "INSERT"),
                        tuple(UNREADABLE, UNREADABLE_PROBLEM, "INSERT"));
        assertThat(deadLetters.collected())
                .filteredOn(d -> d.getEventId().equals(UNREADABLE))
                .extracting(DeadLetter::getRawRowJson)
                .containsExactly("{\"event_id\": \"" + UNREADABLE + "\"}");
        assertThat(events.collected()).extracting(BronzeEvent::getEventId).doesNotContain(NO_EVENT_TYPE, UNREADABLE);
        assertThat(result.<Long>getAccumulatorResult(RouteOutboxChanges.DEAD_LETTER_COUNT)).isEqualTo(2L);
    }
}
