package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
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
     * {@code asOf}, whatever their status. Same values as {@link #volatility15m(long, Instant, List)} on each
     * example's window, in O(n log n + examples × window): the log returns are taken once over the symbol's
     * prices in (time, operation id) order, and each example sums its window's slice of them in the same order.
     */
    public static Map<Long, Double> volatility15m(Collection<SilverOperation> sameSymbol, Instant asOf) {
        PriceSeries prices = PriceSeries.of(sameSymbol, asOf);
        Map<Long, Double> out = new LinkedHashMap<>();
        for (SilverOperation op : sameSymbol) {
            if (op.isExampleAsOf(asOf)) {
                out.put(op.operationId(), prices.volatility(op.triggeredAt()));
            }
        }
        return out;
    }

    /**
     * {@code consecutive_failures_1h} of every example as of {@code asOf} among one client's operations, by
     * operation id in input order. Outcomes are the EXECUTED/FAILED outcomes final before {@code asOf}. Same values as
     * {@link #consecutiveFailures1h(long, Instant, List)} on each example's window, in O(n log n): the run of failures
     * ending at each outcome is counted once, and an example's run is the one ending at its window's last outcome,
     * cut at the window's start.
     */
    public static Map<Long, Integer> consecutiveFailures1h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<Outcome> outcomes = outcomesBefore(sameClient, asOf);
        Timeline times = Timeline.of(outcomes, Outcome::at);
        int[] runEndingAt = new int[outcomes.size()];
        for (int i = 0; i < runEndingAt.length; i++) {
            runEndingAt[i] = outcomes.get(i).failed() ? (i == 0 ? 0 : runEndingAt[i - 1]) + 1 : 0;
        }
        Map<Long, Integer> out = new LinkedHashMap<>();
        for (SilverOperation op : sameClient) {
            if (!op.isExampleAsOf(asOf)) {
                continue;
            }
            Instant t = op.triggeredAt();
            int[] w = times.window(t, FAILURE_WINDOW);
            int from = w[0];
            int to = w[1];
            int run;
            if (Timeline.holds(op.outcomeAt(), t.minus(FAILURE_WINDOW), t)) {
                // Its own outcome (final before its trigger, within the clocks' skew) is in the window: leaving it out
                // changes the run, so this rare case walks the window as the per-example rule does.
                run = consecutiveFailures1h(op.operationId(), t, outcomes.subList(from, to));
            } else {
                run = to == from ? 0 : Math.min(runEndingAt[to - 1], to - from);
            }
            out.put(op.operationId(), run);
        }
        return out;
    }

    /** The EXECUTED/FAILED outcomes final before {@code asOf}, in (time, operation id) order. */
    static List<Outcome> outcomesBefore(Collection<SilverOperation> history, Instant asOf) {
        return history.stream()
                .filter(op -> op.outcomeAt() != null && op.outcomeAt().isBefore(asOf))
                .map(op -> new Outcome(op.operationId(), op.outcomeAt(), SilverStatus.FAILED.equals(op.status())))
                .sorted(Comparator.comparing(Outcome::at).thenComparingLong(Outcome::operationId))
                .toList();
    }

    /**
     * One symbol's positive trigger prices (of operations triggered before as-of) in (time, operation id) order,
     * with the log return from each price's predecessor. A stop's own price is at its trigger time, so it is never
     * in the window before it.
     */
    record PriceSeries(Timeline times, double[] prices, double[] logReturns) {
        static PriceSeries of(Collection<SilverOperation> sameSymbol, Instant asOf) {
            List<PricePoint> points = sameSymbol.stream()
                    .filter(op -> op.triggeredAt() != null && op.triggerPrice() != null && op.triggeredAt().isBefore(asOf)
                            && op.triggerPrice().signum() > 0)
                    .map(op -> new PricePoint(op.operationId(), op.triggeredAt(), op.triggerPrice()))
                    .sorted(Comparator.comparing(PricePoint::at).thenComparingLong(PricePoint::operationId))
                    .toList();
            double[] prices = new double[points.size()];
            double[] returns = new double[points.size()];
            for (int i = 0; i < prices.length; i++) {
                prices[i] = points.get(i).price().doubleValue();
                returns[i] = i == 0 ? Double.NaN : Math.log(prices[i] / prices[i - 1]);
            }
            return new PriceSeries(Timeline.of(points, PricePoint::at), prices, returns);
        }

        /** {@link #volatility15m(long, Instant, List)}'s sums, in its order, over the window's slice of the returns. */
        Double volatility(Instant triggeredAt) {
            int[] w = times.window(triggeredAt, VOLATILITY_WINDOW);
            int count = w[1] - w[0];
            if (count < MIN_PRICES_FOR_VOLATILITY) {
                return null;
            }
            int n = count - 1;
            double mean = 0;
            for (int i = w[0] + 1; i < w[1]; i++) {
                mean += logReturns[i];
            }
            mean /= n;
            double squares = 0;
            for (int i = w[0] + 1; i < w[1]; i++) {
                squares += (logReturns[i] - mean) * (logReturns[i] - mean);
            }
            return Math.sqrt(squares / (n - 1));
        }
    }

    /** Sorted event times, searched by binary search. */
    record Timeline(Instant[] sorted) {
        static <E> Timeline of(List<E> sortedEvents, Function<E, Instant> timeOf) {
            return new Timeline(sortedEvents.stream().map(timeOf).toArray(Instant[]::new));
        }

        /** Index of the first time not before {@code at} (the size when every time is before it). */
        int firstNotBefore(Instant at) {
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid].isBefore(at)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** Index of the first time in the window [{@code at} - {@code width}, {@code at}), and the index after its last. */
        int[] window(Instant at, Duration width) {
            return new int[] {firstNotBefore(at.minus(width)), firstNotBefore(at)};
        }

        /** Whether {@code at} is in [{@code from}, {@code to}). */
        static boolean holds(Instant at, Instant from, Instant to) {
            return at != null && !at.isBefore(from) && at.isBefore(to);
        }
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
}
