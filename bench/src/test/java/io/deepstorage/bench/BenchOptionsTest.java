package io.deepstorage.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.deepstorage.cli.SettingException;

class BenchOptionsTest {
    @Test
    void defaultsFollowQuick() {
        Bench.Options full = Bench.Options.parse(new String[0]);
        assertThat(full.rows()).isEqualTo(999_999);
        assertThat(full.liveRate()).isEqualTo(5000);
        assertThat(full.liveSeconds()).isEqualTo(30);
        assertThat(full.checkpointInterval()).isEqualTo("5s");
        assertThat(full.profileEvery()).isZero();
        assertThat(full.lakeOnly()).isFalse();
        assertThat(full.lakeSizes()).containsExactly(999_999L);
        assertThat(full.out()).isEqualTo(Path.of("bench/target/bench-results.json"));

        Bench.Options quick = Bench.Options.parse(new String[] {"--quick", "--full"});
        assertThat(quick.rows()).isEqualTo(199_998);
        assertThat(quick.liveSeconds()).isEqualTo(15);
        assertThat(quick.lakeSizes()).containsExactly(200_000L, 9_999_999L);
    }

    @Test
    void valuesAreReadAndRowsRoundedToWholeOperations() {
        Bench.Options o = Bench.Options.parse(new String[] {"--rows", "1_000_000", "--live-rate", "2000", "--live-seconds=5",
                "--checkpoint-interval", "500ms", "--profile", "6", "--lake-only", "--out", "x.json"});
        assertThat(o.rows()).isEqualTo(999_999);
        assertThat(o.liveRate()).isEqualTo(2000);
        assertThat(o.liveSeconds()).isEqualTo(5);
        assertThat(o.checkpointInterval()).isEqualTo("500ms");
        assertThat(o.profileEvery()).isEqualTo(6);
        assertThat(o.lakeOnly()).isTrue();
        assertThat(o.out()).isEqualTo(Path.of("x.json"));
    }

    @Test
    void aBadValueIsOneLineNamingIt() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--live-rate", "x"}))
                .isInstanceOf(SettingException.class).hasMessage("--live-rate must be a whole number, got 'x'");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--checkpoint-interval", "soon"}))
                .isInstanceOf(SettingException.class).hasMessageStartingWith("--checkpoint-interval ");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--rows"}))
                .isInstanceOf(SettingException.class).hasMessage("--rows needs a value");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--speed", "9"}))
                .isInstanceOf(SettingException.class).hasMessageContaining("--speed");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--snapshot-chunk-sizes", "20000,x"}))
                .isInstanceOf(SettingException.class)
                .hasMessage("--snapshot-chunk-sizes must be whole numbers above zero separated by commas, got '20000,x'");
    }

    @Test
    void snapshotChunkSizesAreAListAndNoneByDefault() {
        assertThat(Bench.Options.parse(new String[0]).snapshotChunkSizes()).isEmpty();
        assertThat(Bench.Options.parse(new String[] {"--snapshot-chunk-sizes", "10000, 25_000,50000"}).snapshotChunkSizes())
                .containsExactly(10_000, 25_000, 50_000);
    }

    @Test
    void helpListsEveryOption() {
        String help = Bench.helpText();
        for (String option : List.of("--quick", "--full", "--out", "--rows", "--live-rate", "--live-seconds",
                "--checkpoint-interval", "--profile", "--lake-only", "--bronze-only", "--bronze-heap", "--jfr", "--live-max-seconds",
                "--live-connections", "--live-max-warmup-seconds", "--live-max-cpus", "--help")) {
            assertThat(help).contains(option);
        }
    }

    @Test
    void replayOnlyMeasuresNoLakeAndExcludesLakeOnly() {
        assertThat(Bench.Options.parse(new String[] {"--replay-only", "--full"}).lakeSizes()).isEmpty();
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--replay-only", "--lake-only"}))
                .hasMessageContaining("--replay-only");
    }

    @Test
    void bronzeRunsAtOneGigabyteOfHeapForAFullSpeedMinuteFromFourConnectionsUnlessToldOtherwise() {
        Bench.Options o = Bench.Options.parse(new String[0]);
        assertThat(o.bronzeHeap()).isEqualTo("1g");
        assertThat(o.liveMaxSeconds()).isEqualTo(60);
        assertThat(o.liveConnections()).isEqualTo(4);
        assertThat(o.flightRecording()).isFalse();
        Bench.Options quick = Bench.Options.parse(new String[] {"--quick", "--bronze-heap", "768m", "--jfr", "--live-connections", "2"});
        assertThat(quick.liveMaxSeconds()).isEqualTo(15);
        assertThat(quick.bronzeHeap()).isEqualTo("768m");
        assertThat(quick.flightRecording()).isTrue();
        assertThat(quick.liveConnections()).isEqualTo(2);
    }

    @Test
    void bronzeOnlyMeasuresNoLakeAndABadHeapIsNamed() {
        assertThat(Bench.Options.parse(new String[] {"--bronze-only", "--full"}).lakeSizes()).isEmpty();
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--bronze-only", "--lake-only"}))
                .hasMessageContaining("--bronze-only");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--bronze-heap", "lots"}))
                .isInstanceOf(SettingException.class).hasMessage("--bronze-heap must be a heap size like 1g or 768m, got 'lots'");
    }

    @Test
    void theFullSpeedCaseRunsWarmOnSplitCoresUnlessToldOtherwise() {
        Bench.Options o = Bench.Options.parse(new String[0]);
        assertThat(o.liveMaxWarmupSeconds()).isEqualTo(20);
        assertThat(o.liveMaxPlacements()).containsExactly(CpuPlacement.SPLIT);
        Bench.Options quick = Bench.Options.parse(new String[] {"--quick", "--live-max-cpus", "both"});
        assertThat(quick.liveMaxWarmupSeconds()).isEqualTo(5);
        assertThat(quick.liveMaxPlacements()).containsExactly(CpuPlacement.SHARED, CpuPlacement.SPLIT);
        Bench.Options cold = Bench.Options.parse(new String[] {"--live-max-warmup-seconds", "0", "--live-max-cpus", "shared"});
        assertThat(cold.liveMaxWarmupSeconds()).isZero();
        assertThat(cold.liveMaxPlacements()).containsExactly(CpuPlacement.SHARED);
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--live-max-cpus", "half"}))
                .isInstanceOf(SettingException.class).hasMessage("--live-max-cpus must be shared, split or both, got 'half'");
    }

    @Test
    void splitCoresGiveBronzeTheUpperHalfOfTheAllowedCpusAndEverythingElseTheLower() {
        assertThat(CpuPlacement.parseList("0-1")).containsExactly(0, 1);
        assertThat(CpuPlacement.parseList(" 0-1,4,6-7\n")).containsExactly(0, 1, 4, 6, 7);
        assertThat(CpuPlacement.jobCpus(List.of(0, 1))).isEqualTo("1");
        assertThat(CpuPlacement.otherCpus(List.of(0, 1))).isEqualTo("0");
        assertThat(CpuPlacement.jobCpus(CpuPlacement.parseList("4-7"))).isEqualTo("6,7");
        assertThat(CpuPlacement.otherCpus(CpuPlacement.parseList("4-7"))).isEqualTo("4,5");
        assertThat(CpuPlacement.jobCpus(List.of(0, 1, 2))).isEqualTo("1,2");
        assertThat(CpuPlacement.otherCpus(List.of(0, 1, 2))).isEqualTo("0");
        assertThat(CpuPlacement.SPLIT.launcher(List.of(2, 3))).containsExactly("taskset", "-c", "3");
        assertThat(CpuPlacement.SHARED.launcher(List.of(2, 3))).isEmpty();
        assertThatThrownBy(() -> CpuPlacement.jobCpus(List.of(1))).hasMessageContaining("at least 2");
        assertThat(CpuPlacement.unavailableBecause(List.of(1))).contains("only CPU 1");
    }
}
