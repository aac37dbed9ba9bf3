package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepTimesTest {
    @Test
    void eachStepIsTheTimeSinceTheLastLapInTheOrderTheyRanAndARepeatedStepAddsUp() throws Exception {
        StepTimes steps = new StepTimes();
        Thread.sleep(30);
        steps.lap("read");
        steps.lap("fold");
        Thread.sleep(30);
        steps.lap("read");
        assertThat(steps.toMap()).containsOnlyKeys("read", "fold");
        assertThat(steps.toMap().keySet()).containsExactly("read", "fold");
        assertThat(steps.toMap().get("read")).isGreaterThanOrEqualTo(0.06);
        assertThat(steps.toMap().get("fold")).isLessThan(0.03);
    }
}
