package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class StepTimesTest {
    @Test
    void eachStepIsTheTimeSinceTheLastLapInTheOrderTheyRanAndARepeatedStepAddsUp() {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        StepTimes steps = new StepTimes(clock::get);
        clock.addAndGet(1_250_000_000L);
        steps.lap("read");
        clock.addAndGet(4_000_000L);
        steps.lap("fold");
        clock.addAndGet(500_000_000L);
        steps.lap("read");
        assertThat(steps.toMap().keySet()).containsExactly("read", "fold");
        assertThat(steps.toMap()).containsEntry("read", 1.75).containsEntry("fold", 0.0);
    }
}
