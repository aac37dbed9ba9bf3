package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.deepstorage.gold.WindowFeatures.Outcome;
import io.deepstorage.gold.WindowFeatures.PricePoint;
import org.junit.jupiter.api.Test;

class WindowFeaturesTest {
    private static final Instant T = Instant.parse("2024-03-04T13:30:00Z");

    private static PricePoint price(long op, int minutesBefore, String price) {
        return new PricePoint(op, T.minusSeconds(minutesBefore * 60L), new BigDecimal(price));
    }

    /** An operation of symbol BTCUSDC and client 1, triggered at {@code triggered}, final 5 s later. */
    private static SilverOperation op(long id, String status, Instant triggered, String triggerPrice) {
        Instant outcome = triggered.plusSeconds(5);
        return new SilverOperation(id, 1, "BTCUSDC", status, triggered,
                "EXECUTED".equals(status) ? outcome : null, "FAILED".equals(status) ? outcome : null,
                triggerPrice == null ? null : new BigDecimal(triggerPrice), new BigDecimal("95"), new BigDecimal("100"),
                null, List.of("e" + id));
    }

    /** An operation whose outcome lands at {@code outcome}, triggered 10 s before it. */
    private static SilverOperation finished(long id, String status, Instant outcome) {
        Instant triggered = outcome.minusSeconds(10);
        return new SilverOperation(id, 1, "BTCUSDC", status, triggered,
                "EXECUTED".equals(status) ? outcome : null, "FAILED".equals(status) ? outcome : null,
                new BigDecimal("100"), new BigDecimal("95"), new BigDecimal("100"), null, List.of("e" + id));
    }

    @Test
    void volatility_of_three_prices_is_the_sample_stddev_of_their_two_log_returns() {
        // 100 → 110 → 99: r1 = ln(110/100) = 0.0953101798, r2 = ln(99/110) = -0.1053605157, mean = -0.0050251679;
        // deviations ±0.1003353477, sample variance = 2 × 0.1003353477² / (2 − 1) = 0.0201343640, stdev = 0.1418956095.
        Double vol = WindowFeatures.volatility15m(99, T, List.of(price(1, 14, "100"), price(2, 10, "110"), price(3, 1, "99")));
        assertThat(vol).isCloseTo(0.14189560954670764, within(1e-12));
    }

    @Test
    void volatility_needs_three_prices_and_ignores_the_trigger_itself_and_anything_outside_the_window() {
        List<PricePoint> points = List.of(
                price(1, 16, "100"),             // older than 15 minutes
                price(2, 10, "110"),
                price(99, 5, "120"),             // the operation itself
                new PricePoint(4, T, new BigDecimal("130")),               // at the trigger: not strictly before
                new PricePoint(5, T.plusSeconds(60), new BigDecimal("90")), // the future
                price(6, 2, "105"));
        assertThat(WindowFeatures.volatility15m(99, T, points)).isNull();
    }

    @Test
    void volatility_is_unchanged_by_triggers_after_this_one() {
        List<PricePoint> past = List.of(price(1, 14, "100"), price(2, 10, "110"), price(3, 1, "99"));
        List<PricePoint> withFuture = new ArrayList<>(past);
        withFuture.add(new PricePoint(7, T.plusSeconds(1), new BigDecimal("1")));
        assertThat(WindowFeatures.volatility15m(99, T, withFuture)).isEqualTo(WindowFeatures.volatility15m(99, T, past));
    }

    @Test
    void a_symbols_history_gives_each_example_the_volatility_of_the_triggers_in_its_own_15_minutes() {
        Duration window = Duration.ofMinutes(15);
        List<SilverOperation> history = List.of(
                op(4, "EXECUTED", T.minus(window).minusSeconds(1), "500"), // one second too early for op 10
                op(1, "EXECUTED", T.minus(window), "100"),                 // exactly 15 min before op 10: counts
                op(2, "FAILED", T.minusSeconds(7 * 60), "101"),
                op(3, "EXECUTED", T.minusSeconds(60), "99"),
                op(10, "EXECUTED", T, "98"),
                op(5, "EXECUTED", T.plusSeconds(60), "1"),                 // after op 10: must not count for it
                op(6, "BLOCKED", T.minusSeconds(30), null),                // no price, no example
                op(7, "EXECUTED", T.plus(window), "1000"));                // finishes after as-of: no price, no example
        Map<Long, Double> vol = FeaturesByOperation.volatility15m(history, T.plus(window));

        assertThat(vol).containsOnlyKeys(4L, 1L, 2L, 3L, 10L, 5L);
        assertThat(vol.get(4L)).as("no earlier price").isNull();
        assertThat(vol.get(1L)).as("one earlier price").isNull();
        assertThat(vol.get(2L)).as("two earlier prices").isNull();
        // op 3 at T−1m sees 500, 100, 101 (T−15m1s is inside [T−16m, T−1m)): r1 = ln(100/500) = −1.6094379124,
        // r2 = ln(101/100) = 0.0099503309, mean = −0.7997437908, deviations ±0.8096941216,
        // variance = 2 × 0.8096941216² / 1 = 1.3112091412, stdev = 1.1450804082.
        assertThat(vol.get(3L)).isCloseTo(1.1450804082021981, within(1e-12));
        // op 10 at T sees 100, 101, 99: r1 = ln(101/100) = 0.0099503309, r2 = ln(99/101) = −0.0200006667,
        // mean = −0.0050251679, deviations ±0.0149754988, variance = 2 × 0.0149754988² / 1 = 0.0004485311,
        // stdev = 0.0211785535.
        assertThat(vol.get(10L)).isCloseTo(0.02117855347786291, within(1e-12));
        // op 5 at T+1m sees 101, 99, 98 (its own price is not one of them): r1 = ln(99/101) = −0.0200006667,
        // r2 = ln(98/99) = −0.0101523715, mean = −0.0150765191, deviations ∓0.0049241476,
        // variance = 2 × 0.0049241476² / 1 = 0.0000484945, stdev = 0.0069637963.
        assertThat(vol.get(5L)).isCloseTo(0.006963796349206103, within(1e-12));
    }

    @Test
    void consecutive_failures_count_the_latest_run_of_failures_in_the_past_hour() {
        List<Outcome> outcomes = List.of(
                new Outcome(1, T.minusSeconds(50 * 60), true),
                new Outcome(2, T.minusSeconds(40 * 60), false), // an execution ends the older run
                new Outcome(3, T.minusSeconds(30 * 60), true),
                new Outcome(4, T.minusSeconds(10 * 60), true));
        assertThat(WindowFeatures.consecutiveFailures1h(99, T, outcomes)).isEqualTo(2);
    }

    @Test
    void consecutive_failures_ignore_outcomes_older_than_an_hour_at_or_after_the_trigger_and_the_operation_itself() {
        List<Outcome> outcomes = List.of(
                new Outcome(1, T.minusSeconds(61 * 60), true),
                new Outcome(2, T, true),
                new Outcome(3, T.plusSeconds(5), true),
                new Outcome(99, T.minusSeconds(60), true),
                new Outcome(5, T.minusSeconds(120), true));
        assertThat(WindowFeatures.consecutiveFailures1h(99, T, outcomes)).isEqualTo(1);
    }

    @Test
    void consecutive_failures_are_zero_when_the_latest_outcome_was_an_execution() {
        List<Outcome> outcomes = List.of(new Outcome(1, T.minusSeconds(600), true), new Outcome(2, T.minusSeconds(60), false));
        assertThat(WindowFeatures.consecutiveFailures1h(99, T, outcomes)).isZero();
        assertThat(WindowFeatures.consecutiveFailures1h(99, T, List.of())).isZero();
    }

    @Test
    void a_clients_history_gives_each_example_the_failures_that_landed_in_the_hour_before_its_trigger() {
        Duration hour = Duration.ofHours(1);
        List<SilverOperation> history = List.of(
                finished(14, "FAILED", T.minus(hour).minusSeconds(1)), // one second too early for op 20
                finished(11, "FAILED", T.minus(hour)),                 // exactly an hour before op 20: counts
                finished(12, "FAILED", T.minusSeconds(30 * 60)),
                finished(13, "FAILED", T.plusSeconds(1)),              // lands after op 20's trigger: must not count
                op(20, "EXECUTED", T, "100"),
                op(16, "BLOCKED", T.minusSeconds(5 * 60), "100"),      // no outcome, no example
                op(17, "FAILED", T.plus(hour), "100"));                // final after as-of: no outcome, no example
        Map<Long, Integer> failures = FeaturesByOperation.consecutiveFailures1h(history, T.plus(hour));

        assertThat(failures).containsOnlyKeys(14L, 11L, 12L, 13L, 20L);
        assertThat(failures.get(14L)).as("triggered T−1h11s, nothing before").isZero();
        assertThat(failures.get(11L)).as("triggered T−1h10s, before op 14 landed").isZero();
        assertThat(failures.get(12L)).as("triggered T−30m10s: op 14 and op 11").isEqualTo(2);
        assertThat(failures.get(13L)).as("triggered T−9s: op 14 (T−1h1s is within the hour), 11 and 12").isEqualTo(3);
        assertThat(failures.get(20L)).as("op 11 at the edge and op 12").isEqualTo(2);
    }

    @Test
    void an_execution_in_a_clients_history_ends_the_run_of_failures_before_it() {
        List<SilverOperation> history = List.of(
                finished(1, "FAILED", T.minusSeconds(40 * 60)),
                finished(2, "EXECUTED", T.minusSeconds(20 * 60)),
                finished(3, "FAILED", T.minusSeconds(10 * 60)),
                op(4, "EXECUTED", T, "100"));
        assertThat(FeaturesByOperation.consecutiveFailures1h(history, T.plusSeconds(3600)).get(4L)).isEqualTo(1);
    }
}
