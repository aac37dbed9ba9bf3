package io.deepstorage.gold;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;

/**
 * Features of one stop, computed only from what was known at its trigger time. Pure functions.
 */
public final class TriggerFeatures {
    public static final Duration VOLATILITY_WINDOW = Duration.ofMinutes(15);
    public static final Duration FAILURE_WINDOW = Duration.ofHours(1);
    static final int MIN_PRICES_FOR_VOLATILITY = 3;

    private TriggerFeatures() {}

    /** A trigger price of some operation of the same symbol. */
    public record PricePoint(long operationId, Instant at, BigDecimal price) {}

    /** The final outcome of some operation of the same client. */
    public record Outcome(long operationId, Instant at, boolean failed) {}

    /** abs(entry - stop) / entry * 100; null when either is unknown or entry is not positive. */
    public static Double stopDistancePct(BigDecimal entryPrice, BigDecimal stopPrice) {
        if (entryPrice == null || stopPrice == null || entryPrice.signum() <= 0) {
            return null;
        }
        return entryPrice.subtract(stopPrice).abs().divide(entryPrice, MathContext.DECIMAL64).doubleValue() * 100.0;
    }

    public static int hourOfDay(Instant triggeredAt) {
        return triggeredAt.atOffset(ZoneOffset.UTC).getHour();
    }

    /** 0 = Monday … 6 = Sunday, UTC. */
    public static int dayOfWeek(Instant triggeredAt) {
        return triggeredAt.atOffset(ZoneOffset.UTC).getDayOfWeek().getValue() - 1;
    }

    /**
     * Sample standard deviation of the log returns between consecutive trigger prices of other operations of the
     * same symbol triggered in the 15 minutes strictly before {@code triggeredAt}; null with fewer than 3 prices.
     */
    public static Double volatility15m(long operationId, Instant triggeredAt, List<PricePoint> sameSymbol) {
        Instant from = triggeredAt.minus(VOLATILITY_WINDOW);
        List<Double> prices = sameSymbol.stream()
                .filter(p -> p.operationId() != operationId && p.price() != null && p.price().signum() > 0)
                .filter(p -> !p.at().isBefore(from) && p.at().isBefore(triggeredAt))
                .sorted(Comparator.comparing(PricePoint::at).thenComparingLong(PricePoint::operationId))
                .map(p -> p.price().doubleValue())
                .toList();
        if (prices.size() < MIN_PRICES_FOR_VOLATILITY) {
            return null;
        }
        double[] returns = new double[prices.size() - 1];
        for (int i = 1; i < prices.size(); i++) {
            returns[i - 1] = Math.log(prices.get(i) / prices.get(i - 1));
        }
        double mean = 0;
        for (double r : returns) {
            mean += r;
        }
        mean /= returns.length;
        double squares = 0;
        for (double r : returns) {
            squares += (r - mean) * (r - mean);
        }
        return Math.sqrt(squares / (returns.length - 1));
    }

    /**
     * The client's most recent run of consecutive FAILED outcomes among outcomes that landed strictly before
     * {@code triggeredAt} and within the hour before it; an EXECUTED outcome ends the run.
     */
    public static int consecutiveFailures1h(long operationId, Instant triggeredAt, List<Outcome> sameClient) {
        Instant from = triggeredAt.minus(FAILURE_WINDOW);
        List<Outcome> recentFirst = sameClient.stream()
                .filter(o -> o.operationId() != operationId && o.at() != null)
                .filter(o -> !o.at().isBefore(from) && o.at().isBefore(triggeredAt))
                .sorted(Comparator.comparing(Outcome::at).thenComparingLong(Outcome::operationId).reversed())
                .toList();
        int run = 0;
        for (Outcome o : recentFirst) {
            if (!o.failed()) {
                break;
            }
            run++;
        }
        return run;
    }
}
