package io.deepstorage.gold;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.SettingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.deepstorage.gold.TimeSplit.Split;
import io.deepstorage.schemas.StopOutcomeExample;
import io.deepstorage.spark.JobFailedException;
import org.junit.jupiter.api.Test;

/** Labels, selection, the time split, the label-ratio gate and the gold settings. */
class OutcomeRulesTest {
    private static final Instant T = Instant.parse("2024-03-04T10:00:00Z");

    static SilverOperation op(long id, String status, Instant triggered, Instant executed, Instant failed, String slippage) {
        return new SilverOperation(id, 1, "BTCUSDC", status, triggered, executed, failed, new BigDecimal("100"),
                new BigDecimal("95"), new BigDecimal("100"), slippage == null ? null : new BigDecimal(slippage), List.of("e" + id));
    }

    @Test
    void an_executed_stop_is_a_success_with_its_execution_time() {
        SilverOperation executed = op(1, "EXECUTED", T, T.plusMillis(2500), null, "0.4");
        assertThat(OutcomeLabels.executionSuccess(executed)).isTrue();
        assertThat(OutcomeLabels.executionTimeSec(executed)).isEqualTo(2.5);
        assertThat(OutcomeLabels.slippageBreach(executed)).isFalse();
    }

    @Test
    void a_failed_stop_is_no_success_and_has_no_execution_time() {
        SilverOperation failed = op(2, "FAILED", T, null, T.plusSeconds(3), null);
        assertThat(OutcomeLabels.executionSuccess(failed)).isFalse();
        assertThat(OutcomeLabels.executionTimeSec(failed)).isNull();
        assertThat(OutcomeLabels.slippageBreach(failed)).isFalse();
    }

    @Test
    void slippage_breaches_only_strictly_over_ten_percent() {
        assertThat(OutcomeLabels.slippageBreach(op(1, "EXECUTED", T, T, null, "10.0000"))).isFalse();
        assertThat(OutcomeLabels.slippageBreach(op(1, "EXECUTED", T, T, null, "10.0001"))).isTrue();
    }

    @Test
    void only_triggered_operations_finished_before_as_of_are_examples() {
        Instant asOf = T.plusSeconds(60);
        assertThat(op(1, "EXECUTED", T, T.plusSeconds(1), null, null).isExampleAsOf(asOf)).isTrue();
        assertThat(op(2, "FAILED", T, null, T.plusSeconds(1), null).isExampleAsOf(asOf)).isTrue();
        assertThat(op(3, "EXECUTED", T, T.plusSeconds(60), null, null).isExampleAsOf(asOf)).as("final at as-of").isFalse();
        assertThat(op(4, "FAILED", null, null, T, null).isExampleAsOf(asOf)).as("lone FAILED").isFalse();
        assertThat(op(5, "BLOCKED", T, null, null, null).isExampleAsOf(asOf)).isFalse();
        assertThat(op(6, "PENDING", T, null, null, null).isExampleAsOf(asOf)).isFalse();
        assertThat(op(7, "SUBMITTED", T, null, null, null).isExampleAsOf(asOf)).isFalse();
    }

    @Test
    void the_cutoff_is_the_trigger_time_at_the_train_quantile() {
        List<Instant> times = java.util.stream.IntStream.range(0, 10).mapToObj(i -> T.plusSeconds(i * 60L)).toList();
        assertThat(TimeSplit.cutoff(times, 0.2)).isEqualTo(T.plusSeconds(8 * 60));
        assertThat(TimeSplit.cutoff(List.of(T.plusSeconds(5), T), 0.5)).isEqualTo(T.plusSeconds(5));
        assertThat(TimeSplit.cutoff(List.of(T), 0.2)).isEqualTo(T);
        Instant beforeTheEpoch = Instant.parse("1969-12-31T23:59:59.999999Z");
        assertThat(TimeSplit.cutoff(List.of(beforeTheEpoch, T), 0.5)).isEqualTo(T);
        assertThat(TimeSplit.cutoff(List.of(beforeTheEpoch, T), 1.0)).as("as microseconds and back").isEqualTo(beforeTheEpoch);
    }

    @Test
    void rows_are_split_by_trigger_time_and_train_rows_with_a_late_outcome_are_purged() {
        Instant cutoff = T.plusSeconds(600);
        assertThat(TimeSplit.assign(cutoff, cutoff.plusSeconds(1), cutoff)).isEqualTo(Split.TEST);
        assertThat(TimeSplit.assign(T, T.plusSeconds(5), cutoff)).isEqualTo(Split.TRAIN);
        assertThat(TimeSplit.assign(T, cutoff, cutoff)).isEqualTo(Split.PURGED);
        assertThat(TimeSplit.assign(T, cutoff.plusSeconds(1), cutoff)).isEqualTo(Split.PURGED);
    }

    @Test
    void a_label_ratio_inside_the_bounds_passes_and_outside_fails_with_one_line() {
        LabelBalance.check("train", 1, 10);
        LabelBalance.check("train", 9, 10);
        assertThatThrownBy(() -> LabelBalance.check("test", 19, 20))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("label ratio (execution_success) of test is 0.950 (19 of 20), outside the bounds 0.1-0.9");
        assertThatThrownBy(() -> LabelBalance.check("train", 0, 20)).hasMessageContaining("is 0.000");
        assertThatThrownBy(() -> LabelBalance.check("test", 0, 0)).hasMessageContaining("no rows");
    }

    @Test
    void an_example_carries_its_features_labels_version_and_as_of() {
        Instant asOf = T.plusSeconds(3600);
        StopOutcomeExample example = ExampleBuilder.build(op(9, "EXECUTED", T, T.plusSeconds(2), null, "12"),
                List.of(), List.of(new WindowFeatures.Outcome(3, T.minusSeconds(60), true)), "1.2.3", asOf);
        assertThat(example.getStopDistancePct()).isEqualTo(5.0);
        assertThat(example.getVolatility15m()).isNull();
        assertThat(example.getConsecutiveFailures1h()).isEqualTo(1);
        assertThat(example.getHourOfDay()).isEqualTo(10);
        assertThat(example.getDayOfWeek()).isZero();
        assertThat(example.getExecutionSuccess()).isTrue();
        assertThat(example.getSlippageBreach()).isTrue();
        assertThat(example.getExecutionTimeSec()).isEqualTo(2.0);
        assertThat(example.getVersion()).isEqualTo("1.2.3");
        assertThat(example.getGeneratedAt()).isEqualTo(asOf);
        assertThat(example.getSourceEventIds()).containsExactly("e9");
    }

    @Test
    void the_content_hash_depends_on_every_value_and_the_split_but_not_on_list_type() {
        String base = new ContentHash().add("TRAIN", List.of(1L, "x", T, 0.5)).hex();
        assertThat(new ContentHash().add("TRAIN", List.of(1L, "x", T, 0.5)).hex()).isEqualTo(base);
        assertThat(new ContentHash().add("TEST", List.of(1L, "x", T, 0.5)).hex()).isNotEqualTo(base);
        assertThat(new ContentHash().add("TRAIN", List.of(1L, "x", T.plusNanos(1000), 0.5)).hex()).isNotEqualTo(base);
        assertThat(new ContentHash().add("TRAIN", java.util.Arrays.asList(1L, "x", T, null)).hex()).isNotEqualTo(base);
        assertThat(new ContentHash().add("S", List.of(List.of("a", "b"))).hex())
                .isEqualTo(new ContentHash().add("S", List.of(scala.collection.JavaConverters.asScalaBuffer(List.of("a", "b")).toSeq())).hex());
    }

    private static GoldConfig config(String... args) {
        return GoldConfig.from(CommandLine.parse(args, Map.of(), GoldConfig.OPTIONS), T);
    }

    @Test
    void gold_settings_default_to_version_1_0_0_now_and_a_fifth_for_test() {
        GoldConfig config = config();
        assertThat(config.version()).isEqualTo("1.0.0");
        assertThat(config.asOf()).isEqualTo(T);
        assertThat(config.testFraction()).isEqualTo(0.2);
        assertThat(config.overwrite()).isFalse();
        assertThat(config("--version", "2.1.0-rc.1", "--as-of", "2024-01-01T00:00:00Z", "--overwrite").overwrite()).isTrue();
    }

    @Test
    void bad_gold_settings_are_named_in_one_line() {
        assertThatThrownBy(() -> config("--version", "1.0")).isInstanceOf(SettingException.class)
                .hasMessage("--version (GOLD_VERSION) must be a semantic version like 1.0.0, got '1.0'");
        assertThatThrownBy(() -> config("--as-of", "yesterday")).hasMessageStartingWith("--as-of (GOLD_AS_OF) must be an ISO-8601 instant");
        assertThatThrownBy(() -> config("--test-fraction", "1")).hasMessageStartingWith("--test-fraction (GOLD_TEST_FRACTION) must be a number between 0 and 1");
    }
}
