package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.deepstorage.schemas.SilverStatus;

/**
 * The two features that look at other operations, computed only from what was known before a stop's trigger:
 * {@code volatility_15m} from the trigger prices of the same symbol, {@code consecutive_failures_1h} from the
 * outcomes of the same client. Each takes one group's history (every silver operation of one symbol, or of one
 * client, in any order) and returns the feature of each example in it. Pure: no Spark, no I/O.
 */
public final class WindowFeatures {
    public static final Duration VOLATILITY_WINDOW = Duration.ofMinutes(15);
    public static final Duration FAILURE_WINDOW = Duration.ofHours(1);
    static final int MIN_PRICES_FOR_VOLATILITY = 3;

    private WindowFeatures() {}

    /** A trigger price of some operation of the same symbol. */
    public record PricePoint(long operationId, Instant at, BigDecimal price) {}

    /** The final outcome of some operation of the same client. */
    public record Outcome(long operationId, Instant at, boolean failed) {}

    /**
     * {@code volatility_15m} of every example as of {@code asOf} among one symbol's operations, by operation id in
     * input order (null values: fewer than 3 prices). Prices are the trigger prices of operations triggered before
     * {@code asOf}, whatever their status.
     */
    public static Map<Long, Double> volatility15m(Collection<SilverOperation> sameSymbol, Instant asOf) {
        List<PricePoint> points = sameSymbol.stream()
                .filter(op -> op.triggeredAt() != null && op.triggerPrice() != null && op.triggeredAt().isBefore(asOf))
                .map(op -> new PricePoint(op.operationId(), op.triggeredAt(), op.triggerPrice()))
                .sorted(Comparator.comparing(PricePoint::at))
                .toList();
        return perExample(sameSymbol, asOf, points, PricePoint::at, VOLATILITY_WINDOW, WindowFeatures::volatility15m);
    }

    /**
     * {@code consecutive_failures_1h} of every example as of {@code asOf} among one client's operations, by
     * operation id in input order. Outcomes are the EXECUTED/FAILED outcomes final before {@code asOf}.
     */
    public static Map<Long, Integer> consecutiveFailures1h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<Outcome> outcomes = sameClient.stream()
                .filter(op -> op.outcomeAt() != null && op.outcomeAt().isBefore(asOf))
                .map(op -> new Outcome(op.operationId(), op.outcomeAt(), SilverStatus.FAILED.equals(op.status())))
                .sorted(Comparator.comparing(Outcome::at))
                .toList();
        return perExample(sameClient, asOf, outcomes, Outcome::at, FAILURE_WINDOW, WindowFeatures::consecutiveFailures1h);
    }

    /** A feature of one stop from the events of its window. */
    @FunctionalInterface
    interface OfWindow<E, V> {
        V apply(long operationId, Instant triggeredAt, List<E> window);
    }

    /** {@code feature} of every example, each given the slice of {@code sortedEvents} in the window before its trigger. */
    static <E, V> Map<Long, V> perExample(Collection<SilverOperation> history, Instant asOf, List<E> sortedEvents,
                                                  Function<E, Instant> timeOf, Duration window, OfWindow<E, V> feature) {
        List<Instant> times = sortedEvents.stream().map(timeOf).toList();
        Map<Long, V> out = new LinkedHashMap<>();
        for (SilverOperation op : history) {
            if (op.isExampleAsOf(asOf)) {
                // Only the window's slice goes on, so a busy symbol or client is not quadratic.
                List<E> slice = sortedEvents.subList(
                        lowerBound(times, op.triggeredAt().minus(window)), lowerBound(times, op.triggeredAt()));
                out.put(op.operationId(), feature.apply(op.operationId(), op.triggeredAt(), slice));
            }
        }
        return out;
    }

    /**
     * Sample standard deviation of the log returns between consecutive trigger prices of other operations of the
     * same symbol triggered in the 15 minutes before {@code triggeredAt} (an event exactly 15 minutes before counts,
     * one at the trigger time does not); null with fewer than 3 prices.
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
     * The client's most recent run of consecutive FAILED outcomes among outcomes that landed in the hour before
     * {@code triggeredAt} (exactly an hour before counts, at the trigger time does not); an EXECUTED outcome ends
     * the run.
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

    /** Index of the first time not before {@code at}. */
    private static int lowerBound(List<Instant> sortedTimes, Instant at) {
        int index = Collections.binarySearch(sortedTimes, at);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sortedTimes.get(index - 1).equals(at)) {
            index--;
        }
        return index;
    }
}
