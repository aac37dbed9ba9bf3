package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.deepstorage.schemas.BronzeEvent;

class DropDuplicateEventsTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    static KeyedOneInputStreamOperatorTestHarness<String, BronzeEvent, BronzeEvent> harness(Duration ttl) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DropDuplicateEvents(ttl)),
                BronzeEvent::getEventId, Types.STRING);
        h.open();
        return h;
    }

    static BronzeEvent event(String kind, String errorMessage, long lsn) {
        OutboxChange c = OutboxChangeToBronzeTest.change(kind);
        c.errorMessage = errorMessage;
        c.lsn = lsn;
        return OutboxChangeToBronze.map(c, NOW, "run").event();
    }

    static List<BronzeEvent> output(KeyedOneInputStreamOperatorTestHarness<String, BronzeEvent, BronzeEvent> h) {
        return h.extractOutputValues();
    }

    @Test
    void aSecondDeliveryOfTheSameEventIsDropped() throws Exception {
        try (var h = harness(Duration.ofDays(7))) {
            h.processElement(new StreamRecord<>(event("SNAPSHOT", null, 1)));
            h.processElement(new StreamRecord<>(event("INSERT", null, 2)));
            assertThat(output(h)).hasSize(1);
            assertThat(output(h).get(0).getChangeKind()).isEqualTo("SNAPSHOT");
        }
    }

    @Test
    void anUpdateThatChangedTheRowIsKeptAsANewVersion() throws Exception {
        try (var h = harness(Duration.ofDays(7))) {
            h.processElement(new StreamRecord<>(event("INSERT", null, 1)));
            h.processElement(new StreamRecord<>(event("UPDATE", "changed after the fact", 2)));
            h.processElement(new StreamRecord<>(event("UPDATE", "changed after the fact", 3)));
            assertThat(output(h)).extracting(BronzeEvent::getChangeKind).containsExactly("INSERT", "UPDATE");
        }
    }

    @Test
    void dedupStateSurvivesASnapshotAndRestore() throws Exception {
        var snapshot = harness(Duration.ofDays(7));
        snapshot.processElement(new StreamRecord<>(event("INSERT", null, 1)));
        var state = snapshot.snapshot(1L, 1L);
        snapshot.close();
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DropDuplicateEvents(Duration.ofDays(7))), BronzeEvent::getEventId, Types.STRING)) {
            restored.initializeState(state);
            restored.open();
            restored.processElement(new StreamRecord<>(event("INSERT", null, 1)));
            assertThat(output(restored)).isEmpty();
        }
    }

    @Test
    void anEventIsForgottenOnceItsTtlHasPassed() throws Exception {
        try (var h = harness(Duration.ofHours(1))) {
            h.setStateTtlProcessingTime(0);
            h.processElement(new StreamRecord<>(event("INSERT", null, 1)));
            h.setStateTtlProcessingTime(Duration.ofMinutes(59).toMillis());
            h.processElement(new StreamRecord<>(event("INSERT", null, 2)));
            h.setStateTtlProcessingTime(Duration.ofMinutes(59 + 61).toMillis());
            h.processElement(new StreamRecord<>(event("INSERT", null, 3)));
            assertThat(output(h)).extracting(BronzeEvent::getSourceLsn).containsExactly(1L, 3L);
        }
    }

    @Test
    void eachDroppedDeliveryIsCountedInTheBronzeMetricsAndTheAccumulator() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DropDuplicateEvents(Duration.ofDays(7))), BronzeEvent::getEventId, Types.STRING, env)) {
            h.open();
            h.processElement(new StreamRecord<>(event("SNAPSHOT", null, 1)));
            h.processElement(new StreamRecord<>(event("INSERT", null, 2)));
            h.processElement(new StreamRecord<>(event("INSERT", null, 3)));
            h.processElement(new StreamRecord<>(event("UPDATE", "a new version is no duplicate", 4)));

            assertThat(output(h)).hasSize(2);
            assertThat(metrics.count("bronze.duplicatesDropped")).isEqualTo(2);
            assertThat(env.getAccumulatorRegistry().getUserMap().get(DropDuplicateEvents.DUPLICATE_COUNT).getLocalValue())
                    .isEqualTo(2L);
        }
    }
}
