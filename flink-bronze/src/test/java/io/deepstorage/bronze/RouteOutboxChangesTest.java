package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;

class RouteOutboxChangesTest {

    static OneInputStreamOperatorTestHarness<OutboxChange, BronzeEvent> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(new RouteOutboxChanges("run-1"));
    }

    static OutboxChange malformed() {
        OutboxChange c = OutboxChangeToBronzeTest.change(OutboxChange.INSERT);
        c.eventType = null;
        return c;
    }

    static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<OutboxChange, BronzeEvent> h) {
        var side = h.getSideOutput(RouteOutboxChanges.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aValidChangeGoesOnAsABronzeRecordOfThisRun() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(OutboxChangeToBronzeTest.change(OutboxChange.INSERT)));
            assertThat(h.extractOutputValues())
                    .extracting(BronzeEvent::getEventId, BronzeEvent::getChangeKind, BronzeEvent::getIngestRunId)
                    .containsExactly(tuple("7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11", "INSERT", "run-1"));
            assertThat(deadLetters(h)).isEmpty();
        }
    }

    @Test
    void anUpdateGoesOnAsANewVersion() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(OutboxChangeToBronzeTest.change(OutboxChange.UPDATE)));
            assertThat(h.extractOutputValues()).extracting(BronzeEvent::getChangeKind).containsExactly("UPDATE");
            assertThat(deadLetters(h)).isEmpty();
        }
    }

    @Test
    void aMalformedChangeGoesOnlyToTheDeadLettersWithItsReason() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(malformed()));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(deadLetters(h))
                    .extracting(DeadLetter::getReason, DeadLetter::getEventId, DeadLetter::getIngestRunId)
                    .containsExactly(tuple("event_type is blank", "7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11", "run-1"));
        }
    }

    @Test
    void aDeleteProducesNoOutputAtAll() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(OutboxChangeToBronzeTest.change(OutboxChange.DELETE)));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(deadLetters(h)).isEmpty();
        }
    }

    /** A harness whose operator registers its metrics in {@code metrics}. */
    static OneInputStreamOperatorTestHarness<OutboxChange, BronzeEvent> harness(MockEnvironment env)
            throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new RouteOutboxChanges("run-1")), env);
        h.open();
        return h;
    }

    @Test
    void eachChangeDeadLetterDeleteAndUpdateIsCountedInTheBronzeMetricsAndTheAccumulators() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = harness(env)) {
            for (OutboxChange c : List.of(malformed(), malformed(), OutboxChangeToBronzeTest.change(OutboxChange.DELETE),
                    OutboxChangeToBronzeTest.change(OutboxChange.UPDATE), OutboxChangeToBronzeTest.change(OutboxChange.UPDATE),
                    OutboxChangeToBronzeTest.change(OutboxChange.UPDATE), OutboxChangeToBronzeTest.change(OutboxChange.INSERT))) {
                h.processElement(new StreamRecord<>(c));
            }

            assertThat(metrics.count("bronze.eventsIn")).isEqualTo(7);
            assertThat(metrics.count("bronze.deadLetters")).isEqualTo(2);
            assertThat(metrics.count("bronze.outboxDeletes")).isEqualTo(1);
            assertThat(metrics.count("bronze.outboxUpdates")).isEqualTo(3);
            Map<String, Accumulator<?, ?>> accumulators = env.getAccumulatorRegistry().getUserMap();
            assertThat(accumulators.get(RouteOutboxChanges.DEAD_LETTER_COUNT).getLocalValue()).isEqualTo(2L);
            assertThat(accumulators.get(RouteOutboxChanges.DELETE_COUNT).getLocalValue()).isEqualTo(1L);
            assertThat(accumulators.get(RouteOutboxChanges.UPDATE_COUNT).getLocalValue()).isEqualTo(3L);
        }
    }

    static OutboxChange committedAt(String kind, long commitMillis) {
        OutboxChange c = OutboxChangeToBronzeTest.change(kind);
        c.sourceTimeMicros = commitMillis * 1000;
        return c;
    }

    @Test
    void theSourceLagIsTheReadTimeOfTheLastStreamedChangeMinusItsCommitTime() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = harness(env)) {
            assertThat(metrics.gauge("bronze.sourceLagMs")).as("nothing read yet").isEqualTo(-1L);

            h.setProcessingTime(1_000_000);
            h.processElement(new StreamRecord<>(committedAt(OutboxChange.INSERT, 998_500)));
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(1_500L);

            // A malformed row and a delete are changes the job read as well.
            h.setProcessingTime(2_000_000);
            h.processElement(new StreamRecord<>(committedAt(OutboxChange.DELETE, 1_999_800)));
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(200L);
            OutboxChange late = malformed();
            late.sourceTimeMicros = 1_940_000_000L;
            h.processElement(new StreamRecord<>(late));
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(60_000L);
        }
    }

    @Test
    void aQuietOutboxOrASnapshotRowWithoutCommitTimeLeavesTheSourceLagAsItWas() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = harness(env)) {
            h.setProcessingTime(1_000_000);
            h.processElement(new StreamRecord<>(committedAt(OutboxChange.INSERT, 999_000)));
            h.setProcessingTime(9_000_000);
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(1_000L);
            OutboxChange snapshot = OutboxChangeToBronzeTest.change(OutboxChange.SNAPSHOT);
            snapshot.sourceTimeMicros = null;
            h.processElement(new StreamRecord<>(snapshot));
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(1_000L);
            assertThat(metrics.count("bronze.eventsIn")).isEqualTo(2);
        }
    }

    @Test
    void aCommitTimeAheadOfTheJobsClockCountsAsNoLag() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = harness(env)) {
            h.setProcessingTime(1_000_000);
            h.processElement(new StreamRecord<>(committedAt(OutboxChange.INSERT, 1_000_250)));
            assertThat(metrics.gauge("bronze.sourceLagMs")).isEqualTo(0L);
        }
    }
}
