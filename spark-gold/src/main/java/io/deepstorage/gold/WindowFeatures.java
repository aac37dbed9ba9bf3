package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

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
     * {@code volatility_15m} of every example as of {@code asOf} (epoch micros) among one symbol's operations, by
     * index in the group (null: not an example, or fewer than 3 prices). Prices are the trigger prices of operations
     * triggered before {@code asOf}, whatever their status. Same values as {@link #volatility15m(long, Instant, List)}
     * on each example's window, in O(n log n + examples × window): the log returns are taken once over the symbol's
     * prices in (time, operation id) order, and each example sums its window's slice of them in the same order.
     */
    static Double[] volatility15m(GroupHistory sameSymbol, long asOf) {
        return volatility15m(sameSymbol, PriceSeries.of(sameSymbol, asOf), asOf);
    }

    /** {@link #volatility15m(GroupHistory, long)} over the symbol's {@link PriceSeries} as of {@code asOf}, built once. */
    static Double[] volatility15m(GroupHistory sameSymbol, PriceSeries prices, long asOf) {
        Double[] out = new Double[sameSymbol.size];
        FourAtATime four = new FourAtATime(prices.logReturns(), out);
        for (int i = 0; i < sameSymbol.size; i++) {
            if (sameSymbol.isExampleAsOf(i, asOf)) {
                int[] w = prices.window(sameSymbol.triggeredAt[i], VOLATILITY_WINDOW);
                if (w[1] - w[0] >= MIN_PRICES_FOR_VOLATILITY) {
                    four.add(i, w[0] + 1, w[1] - w[0] - 1);
                }
            }
        }
        four.flush();
        return out;
    }

    /**
     * {@link PriceSeries#stdev} for four examples at once, each still in its own order (so the same bits):
     * one running sum waits for each addition's result before the next, four independent ones keep the core busy.
     * The windows hold hundreds of prices on a busy symbol; this loop was a tenth of gold's time, one example at a time.
     */
    private static final class FourAtATime {
        private final double[] r;
        private final Double[] out;
        private final int[] example = new int[4];
        private final int[] from = new int[4];
        private final int[] returns = new int[4];
        private int pending;

        FourAtATime(double[] logReturns, Double[] out) {
            this.r = logReturns;
            this.out = out;
        }

        /** Example {@code i}'s volatility over the {@code count} (≥ 2) log returns from index {@code first}. */
        void add(int i, int first, int count) {
            example[pending] = i;
            from[pending] = first;
            returns[pending] = count;
            if (++pending == 4) {
                four();
                pending = 0;
            }
        }

        void flush() {
            for (int k = 0; k < pending; k++) {
                out[example[k]] = PriceSeries.stdev(r, from[k], returns[k]);
            }
            pending = 0;
        }

        private void four() {
            int f0 = from[0], f1 = from[1], f2 = from[2], f3 = from[3];
            int n0 = returns[0], n1 = returns[1], n2 = returns[2], n3 = returns[3];
            int both = Math.min(Math.min(n0, n1), Math.min(n2, n3));
            double m0 = 0, m1 = 0, m2 = 0, m3 = 0;
            for (int k = 0; k < both; k++) {
                m0 += r[f0 + k];
                m1 += r[f1 + k];
                m2 += r[f2 + k];
                m3 += r[f3 + k];
            }
            m0 = sumFrom(m0, f0, both, n0) / n0;
            m1 = sumFrom(m1, f1, both, n1) / n1;
            m2 = sumFrom(m2, f2, both, n2) / n2;
            m3 = sumFrom(m3, f3, both, n3) / n3;
            double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
            for (int k = 0; k < both; k++) {
                double d0 = r[f0 + k] - m0;
                double d1 = r[f1 + k] - m1;
                double d2 = r[f2 + k] - m2;
                double d3 = r[f3 + k] - m3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }
            out[example[0]] = Math.sqrt(squaresFrom(q0, m0, f0, both, n0) / (n0 - 1));
            out[example[1]] = Math.sqrt(squaresFrom(q1, m1, f1, both, n1) / (n1 - 1));
            out[example[2]] = Math.sqrt(squaresFrom(q2, m2, f2, both, n2) / (n2 - 1));
            out[example[3]] = Math.sqrt(squaresFrom(q3, m3, f3, both, n3) / (n3 - 1));
        }

        /** {@code sum} carried on over the returns {@code from + k} for k in [{@code done}, {@code count}). */
        private double sumFrom(double sum, int from, int done, int count) {
            for (int k = done; k < count; k++) {
                sum += r[from + k];
            }
            return sum;
        }

        private double squaresFrom(double squares, double mean, int from, int done, int count) {
            for (int k = done; k < count; k++) {
                double d = r[from + k] - mean;
                squares += d * d;
            }
            return squares;
        }
    }

    /**
     * {@code consecutive_failures_1h} of every example as of {@code asOf} (epoch micros) among one client's
     * operations, by index in the group (null: not an example). Outcomes are the EXECUTED/FAILED outcomes final
     * before {@code asOf}. Same values as {@link #consecutiveFailures1h(long, Instant, List)} on each example's
     * window, in O(n log n): the run of failures ending at each outcome is counted once, and an example's run is the
     * one ending at its window's last outcome, cut at the window's start.
     */
    static Integer[] consecutiveFailures1h(GroupHistory sameClient, long asOf) {
        return consecutiveFailures1h(sameClient, outcomesBefore(sameClient, asOf), asOf);
    }

    /** {@link #consecutiveFailures1h(GroupHistory, long)} over the client's {@link #outcomesBefore} as of {@code asOf}, sorted once. */
    static Integer[] consecutiveFailures1h(GroupHistory sameClient, int[] outcomes, long asOf) {
        Timeline times = Timeline.of(outcomes, sameClient.outcomeAt);
        int[] runEndingAt = new int[outcomes.length];
        for (int k = 0; k < runEndingAt.length; k++) {
            runEndingAt[k] = sameClient.failed[outcomes[k]] ? (k == 0 ? 0 : runEndingAt[k - 1]) + 1 : 0;
        }
        long width = micros(FAILURE_WINDOW);
        Integer[] out = new Integer[sameClient.size];
        for (int i = 0; i < sameClient.size; i++) {
            if (!sameClient.isExampleAsOf(i, asOf)) {
                continue;
            }
            long t = sameClient.triggeredAt[i];
            int from = times.firstNotBefore(t - width);
            int to = times.firstNotBefore(t);
            int run;
            if (Timeline.holds(sameClient.outcomeAt[i], t - width, t)) {
                // Its own outcome (final before its trigger, within the clocks' skew) is in the window: leaving it out
                // changes the run, so this rare case walks the window back from its latest outcome, as the
                // per-example rule does.
                run = 0;
                for (int k = to - 1; k >= from; k--) {
                    int other = outcomes[k];
                    if (other == i) {
                        continue;
                    }
                    if (!sameClient.failed[other]) {
                        break;
                    }
                    run++;
                }
            } else {
                run = to == from ? 0 : Math.min(runEndingAt[to - 1], to - from);
            }
            out[i] = run;
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

    /** {@link #outcomesBefore(Collection, Instant)} of a group: the indices of those outcomes, in that order. */
    static int[] outcomesBefore(GroupHistory group, long asOf) {
        return group.sortedBy(group.outcomeAt, i -> group.outcomeAt[i] != GroupHistory.NO_TIME && group.outcomeAt[i] < asOf);
    }

    static long micros(Duration window) {
        return window.toNanos() / 1_000;
    }

    /**
     * One symbol's positive trigger prices (of operations triggered before as-of) in (time, operation id) order,
     * with the log return from each price's predecessor. A stop's own price is at its trigger time, so it is never
     * in the window before it.
     */
    record PriceSeries(Timeline times, double[] prices, double[] logReturns) {
        static PriceSeries of(GroupHistory sameSymbol, long asOf) {
            int[] points = sameSymbol.sortedBy(sameSymbol.triggeredAt, i -> sameSymbol.triggeredAt[i] != GroupHistory.NO_TIME
                    && sameSymbol.triggeredAt[i] < asOf && sameSymbol.triggerPrice[i] > 0);
            double[] prices = new double[points.length];
            double[] returns = new double[points.length];
            for (int k = 0; k < prices.length; k++) {
                prices[k] = sameSymbol.triggerPrice[points[k]];
                returns[k] = k == 0 ? Double.NaN : Math.log(prices[k] / prices[k - 1]);
            }
            return new PriceSeries(Timeline.of(points, sameSymbol.triggeredAt), prices, returns);
        }

        /** The index of the window's first price and the index after its last, for a trigger at {@code at}. */
        int[] window(long at, Duration width) {
            return new int[] {times.firstNotBefore(at - micros(width)), times.firstNotBefore(at)};
        }

        /**
         * The sample standard deviation of the {@code n} returns from index {@code from}: {@link #volatility15m(long,
         * Instant, List)}'s sums, in its order, over a window's slice of the returns.
         */
        static double stdev(double[] returns, int from, int n) {
            double mean = 0;
            for (int i = from; i < from + n; i++) {
                mean += returns[i];
            }
            mean /= n;
            double squares = 0;
            for (int i = from; i < from + n; i++) {
                double d = returns[i] - mean;
                squares += d * d;
            }
            return Math.sqrt(squares / (n - 1));
        }
    }

    /** Sorted event times (epoch micros), searched by binary search. */
    record Timeline(long[] sorted) {
        /** The times {@code time[i]} of {@code sortedIndices}, in that order. */
        static Timeline of(int[] sortedIndices, long[] time) {
            long[] sorted = new long[sortedIndices.length];
            for (int k = 0; k < sorted.length; k++) {
                sorted[k] = time[sortedIndices[k]];
            }
            return new Timeline(sorted);
        }

        /** Index of the first time not before {@code at} (the size when every time is before it). */
        int firstNotBefore(long at) {
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < at) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** Whether {@code at} is a time in [{@code from}, {@code to}). */
        static boolean holds(long at, long from, long to) {
            return at != GroupHistory.NO_TIME && at >= from && at < to;
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
                .map(p -> Decimals.toDouble(p.price()))
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
