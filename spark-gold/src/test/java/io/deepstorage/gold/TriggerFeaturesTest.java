package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.deepstorage.gold.TriggerFeatures.Outcome;
import io.deepstorage.gold.TriggerFeatures.PricePoint;
import org.junit.jupiter.api.Test;

class TriggerFeaturesTest {
    private static final Instant T = Instant.parse("2024-03-04T13:30:00Z"); // a Monday

    private static PricePoint price(long op, int minutesBefore, String price) {
        return new PricePoint(op, T.minusSeconds(minutesBefore * 60L), new BigDecimal(price));
    }

    @Test
    void stop_distance_is_the_entry_to_stop_gap_in_percent_of_entry() {
        assertThat(TriggerFeatures.stopDistancePct(new BigDecimal("200"), new BigDecimal("190"))).isCloseTo(5.0, within(1e-9));
        assertThat(TriggerFeatures.stopDistancePct(new BigDecimal("200"), new BigDecimal("210"))).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void stop_distance_is_null_when_entry_or_stop_is_unknown_or_entry_is_zero() {
        assertThat(TriggerFeatures.stopDistancePct(null, BigDecimal.ONE)).isNull();
        assertThat(TriggerFeatures.stopDistancePct(BigDecimal.ONE, null)).isNull();
        assertThat(TriggerFeatures.stopDistancePct(BigDecimal.ZERO, BigDecimal.ONE)).isNull();
    }

    @Test
    void hour_and_day_are_utc_with_monday_as_zero() {
        assertThat(TriggerFeatures.hourOfDay(T)).isEqualTo(13);
        assertThat(TriggerFeatures.dayOfWeek(T)).isZero();
        assertThat(TriggerFeatures.dayOfWeek(Instant.parse("2024-03-10T23:59:59Z"))).isEqualTo(6);
        assertThat(TriggerFeatures.hourOfDay(Instant.parse("2024-03-10T00:00:00Z"))).isZero();
    }

    @Test
    void volatility_is_the_sample_stddev_of_log_returns_of_other_triggers_in_the_window() {
        Double vol = TriggerFeatures.volatility15m(99, T, List.of(price(1, 14, "100"), price(2, 10, "110"), price(3, 1, "99")));
        double r1 = Math.log(110.0 / 100.0);
        double r2 = Math.log(99.0 / 110.0);
        double mean = (r1 + r2) / 2;
        double expected = Math.sqrt(((r1 - mean) * (r1 - mean) + (r2 - mean) * (r2 - mean)) / 1);
        assertThat(vol).isCloseTo(expected, within(1e-12));
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
        assertThat(TriggerFeatures.volatility15m(99, T, points)).isNull();
    }

    @Test
    void volatility_is_unchanged_by_triggers_after_this_one() {
        List<PricePoint> past = List.of(price(1, 14, "100"), price(2, 10, "110"), price(3, 1, "99"));
        List<PricePoint> withFuture = new java.util.ArrayList<>(past);
        withFuture.add(new PricePoint(7, T.plusSeconds(1), new BigDecimal("1")));
        assertThat(TriggerFeatures.volatility15m(99, T, withFuture)).isEqualTo(TriggerFeatures.volatility15m(99, T, past));
    }

    @Test
    void consecutive_failures_count_the_latest_run_of_failures_in_the_past_hour() {
        List<Outcome> outcomes = List.of(
                new Outcome(1, T.minusSeconds(50 * 60), true),
                new Outcome(2, T.minusSeconds(40 * 60), false), // an execution ends the older run
                new Outcome(3, T.minusSeconds(30 * 60), true),
                new Outcome(4, T.minusSeconds(10 * 60), true));
        assertThat(TriggerFeatures.consecutiveFailures1h(99, T, outcomes)).isEqualTo(2);
    }

    @Test
    void consecutive_failures_ignore_outcomes_older_than_an_hour_at_or_after_the_trigger_and_the_operation_itself() {
        List<Outcome> outcomes = List.of(
                new Outcome(1, T.minusSeconds(61 * 60), true),
                new Outcome(2, T, true),
                new Outcome(3, T.plusSeconds(5), true),
                new Outcome(99, T.minusSeconds(60), true),
                new Outcome(5, T.minusSeconds(120), true));
        assertThat(TriggerFeatures.consecutiveFailures1h(99, T, outcomes)).isEqualTo(1);
    }

    @Test
    void consecutive_failures_are_zero_when_the_latest_outcome_was_an_execution() {
        List<Outcome> outcomes = List.of(new Outcome(1, T.minusSeconds(600), true), new Outcome(2, T.minusSeconds(60), false));
        assertThat(TriggerFeatures.consecutiveFailures1h(99, T, outcomes)).isZero();
        assertThat(TriggerFeatures.consecutiveFailures1h(99, T, List.of())).isZero();
    }
}
