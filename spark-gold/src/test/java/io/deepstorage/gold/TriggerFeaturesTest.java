package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class TriggerFeaturesTest {
    private static final Instant T = Instant.parse("2024-03-04T13:30:00Z"); // a Monday

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
}
