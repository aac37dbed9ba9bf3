package io.deepstorage.gold;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Features of one stop that need nothing but the stop itself. The features that look at other operations are
 * {@link WindowFeatures}. Pure functions.
 */
public final class TriggerFeatures {
    private TriggerFeatures() {}

    /** abs(entry - stop) / entry * 100; null when either is unknown or entry is not positive. */
    public static Double stopDistancePct(BigDecimal entryPrice, BigDecimal stopPrice) {
        if (entryPrice == null || stopPrice == null || entryPrice.signum() <= 0) {
            return null;
        }
        return Decimals.toDouble(entryPrice.subtract(stopPrice).abs().divide(entryPrice, MathContext.DECIMAL64)) * 100.0;
    }

    public static int hourOfDay(Instant triggeredAt) {
        return triggeredAt.atOffset(ZoneOffset.UTC).getHour();
    }

    /** 0 = Monday … 6 = Sunday, UTC. */
    public static int dayOfWeek(Instant triggeredAt) {
        return triggeredAt.atOffset(ZoneOffset.UTC).getDayOfWeek().getValue() - 1;
    }
}
