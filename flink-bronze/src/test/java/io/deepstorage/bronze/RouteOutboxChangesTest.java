package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
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

    @Test
    void eachDeadLetterDeleteAndUpdateIsCountedInTheMetricsAndTheAccumulators() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder()
                .setMetricGroup(new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name) {
                        return metrics;
                    }
                })
                .build();
        try (env; var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new RouteOutboxChanges("run-1")), env)) {
            h.open();
            for (OutboxChange c : List.of(malformed(), malformed(), OutboxChangeToBronzeTest.change(OutboxChange.DELETE),
                    OutboxChangeToBronzeTest.change(OutboxChange.UPDATE), OutboxChangeToBronzeTest.change(OutboxChange.UPDATE),
                    OutboxChangeToBronzeTest.change(OutboxChange.UPDATE), OutboxChangeToBronzeTest.change(OutboxChange.INSERT))) {
                h.processElement(new StreamRecord<>(c));
            }

            assertThat(((Counter) metrics.get("deadLetters")).getCount()).isEqualTo(2);
            assertThat(((Counter) metrics.get("outboxDeletes")).getCount()).isEqualTo(1);
            assertThat(((Counter) metrics.get("outboxUpdates")).getCount()).isEqualTo(3);
            Map<String, Accumulator<?, ?>> accumulators = env.getAccumulatorRegistry().getUserMap();
            assertThat(accumulators.get(RouteOutboxChanges.DEAD_LETTER_COUNT).getLocalValue()).isEqualTo(2L);
            assertThat(accumulators.get(RouteOutboxChanges.DELETE_COUNT).getLocalValue()).isEqualTo(1L);
            assertThat(accumulators.get(RouteOutboxChanges.UPDATE_COUNT).getLocalValue()).isEqualTo(3L);
        }
    }
}
