package io.deepstorage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void nearestRankPercentiles() {
        long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertThat(Stats.percentile(v, 50)).isEqualTo(5);
        assertThat(Stats.percentile(v, 99)).isEqualTo(10);
        assertThat(Stats.percentile(v, 100)).isEqualTo(10);
        assertThat(Stats.percentile(v, 0)).isEqualTo(1);
        assertThat(Stats.percentile(v, 10)).isEqualTo(1);
        assertThat(Stats.percentile(new long[0], 50)).isNaN();
        assertThat(Stats.percentile(new long[] {42}, 99)).isEqualTo(42);
    }

    @Test
    void rateOfZeroTimeIsNaN() {
        assertThat(Stats.rate(100, 2)).isEqualTo(50);
        assertThat(Stats.rate(100, 0)).isNaN();
    }

    @Test
    void peakHeapFromGcLog() {
        List<String> log = List.of(
                "[0.412s][info][gc] Using G1",
                "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.123ms",
                "[2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 1G->400M(2048M) 9.1ms",
                "[3.000s][info][gc] GC(2) Pause Remark 512M->500M(2048M) 1.0ms");
        assertThat(Stats.peakHeapBeforeGc(log)).isEqualTo(1L << 30);
        assertThat(Stats.peakHeapBeforeGc(List.of("[0.1s][info][gc] Using G1"))).isEqualTo(-1);
    }

    @Test
    void gcPausesAreTheSumOfThePauseLinesNotOfTheConcurrentPhases() {
        List<String> log = List.of(
                "[0.412s][info][gc] Using G1",
                "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.5ms",
                "[2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 1G->400M(2048M) 9.5ms",
                "[2.100s][info][gc] GC(2) Concurrent Mark Cycle 85.000ms",
                "[3.000s][info][gc] GC(2) Pause Remark 512M->500M(2048M) 1.0ms",
                "[3.100s][info][gc] GC(2) Pause Cleanup 500M->500M(2048M) 0.250ms");
        assertThat(Stats.gcPauseSeconds(log)).isCloseTo(0.01625, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Stats.gcPauseSeconds(List.of("[0.1s][info][gc] Using G1"))).isZero();
    }

    @Test
    void machineBusyTicksLeaveOutIdleAndIowait() {
        assertThat(Stats.machineTicks("cpu  100 5 50 800 40 3 2 0 0 0")).containsExactly(160, 1000);
    }

    @Test
    void procStatusAndStat() {
        String status = "Name:\tjava\nVmPeak:\t 5000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t 1024 kB\n";
        assertThat(Stats.procStatusBytes(status, "VmHWM")).isEqualTo(2048 * 1024);
        assertThat(Stats.procStatusBytes(status, "Nope")).isEqualTo(-1);
        String stat = "4242 (Sink: Writer (1) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 1 0";
        Map.Entry<String, Long> e = Stats.parseStat(stat);
        assertThat(e.getKey()).isEqualTo("Sink: Writer (1");
        assertThat(e.getValue()).isEqualTo(175);
        assertThat(Stats.threadGroup("Sink: Writer (1")).isEqualTo("Sink: Writer (#");
        assertThat(Stats.threadGroup("C2 CompilerThre")).isEqualTo("C# CompilerThre");
    }

    @Test
    void jsonAndTableText() {
        assertThat(Stats.json(Stats.map("a", 1, "b", "x\"y", "c", Double.NaN, "d", List.of(1.5, 2.0))))
                .isEqualTo("{\"a\": 1, \"b\": \"x\\\"y\", \"c\": null, \"d\": [1.5,\n 2]}");
        assertThat(Stats.num(12345.6)).isEqualTo("12,346");
        assertThat(Stats.num(0.5)).isEqualTo("0.50");
        assertThat(Stats.num(Double.NaN)).isEqualTo("-");
        assertThat(Stats.mib(-1)).isEqualTo("-");
        assertThat(Stats.mib(3L << 20)).isEqualTo("3 MiB");
    }

    @Test
    void theLaterHalfRateCountsTheRowsCommittedAfterTheCommitThatPassedHalfOverTheTimeSinceIt() {
        // 10 rows at 0 s, 20 at 1 s (half passed), then 10 at 2 s and 20 at 4 s: 30 rows in 3 s.
        assertThat(Stats.laterHalfRate(new long[] {0, 1_000_000, 2_000_000, 4_000_000}, new long[] {10, 20, 10, 20}))
                .isEqualTo(10.0);
        assertThat(Stats.laterHalfRate(new long[] {0, 1_000_000}, new long[] {10, 90})).isNaN();
        // A checkpoint's files commit within milliseconds of each other: one commit, not split at the half.
        assertThat(Stats.laterHalfRate(new long[] {0, 5_000_000, 5_001_000, 10_000_000}, new long[] {40, 20, 20, 20}))
                .isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(Stats.laterHalfRate(new long[] {}, new long[] {})).isNaN();
    }
}
