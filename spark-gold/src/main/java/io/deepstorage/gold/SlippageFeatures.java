package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The slippage_prediction features that look at other operations, from what was known before a stop's trigger
 * only: the symbol's trigger-price movement over 15 minutes, and the client's fills and outcomes of the 24 hours
 * before. An outcome counts when it was final before the trigger, not when its operation was triggered: a fill
 * that lands after the trigger was not known then. Pure: no Spark, no I/O.
 */
public final class SlippageFeatures {
    public static final Duration PRICE_WINDOW = WindowFeatures.VOLATILITY_WINDOW;
    public static final Duration CLIENT_WINDOW = Duration.ofHours(24);

    private SlippageFeatures() {}

    /**
     * {@code trigger_price_change_15m_pct} of every example among one symbol's operations as of {@code asOf} (epoch
     * micros), by index in the group (null: not an example): this
     * trigger price against the earliest trigger price of another operation of the symbol in the 15 minutes before
     * (exactly 15 minutes before counts, at the trigger time does not), in %; null with none or an unknown price.
     * The earliest price of a window is the first of its slice of the symbol's sorted prices: O(n log n).
     */
    static Double[] triggerPriceChange15m(GroupHistory sameSymbol, long asOf) {
        return triggerPriceChange15m(sameSymbol, WindowFeatures.PriceSeries.of(sameSymbol, asOf), asOf);
    }

    /** {@link #triggerPriceChange15m(GroupHistory, long)} over the symbol's prices as of {@code asOf}, built once. */
    static Double[] triggerPriceChange15m(GroupHistory sameSymbol, WindowFeatures.PriceSeries prices, long asOf) {
        Double[] out = new Double[sameSymbol.size];
        for (int i = 0; i < sameSymbol.size; i++) {
            if (sameSymbol.isExampleAsOf(i, asOf)) {
                int[] w = prices.window(sameSymbol.triggeredAt[i], PRICE_WINDOW);
                out[i] = Double.isNaN(sameSymbol.triggerPrice[i]) || w[1] == w[0] ? null
                        : (sameSymbol.triggerPrice[i] / prices.prices()[w[0]] - 1) * 100.0;
            }
        }
        return out;
    }

    /** The change of {@code price} against the earliest other price of {@code window}, in %. */
    public static Double triggerPriceChangePct(long operationId, BigDecimal price, List<WindowFeatures.PricePoint> window) {
        if (price == null) {
            return null;
        }
        return window.stream()
                .filter(p -> p.operationId() != operationId && p.price() != null && p.price().signum() > 0)
                .min(Comparator.comparing(WindowFeatures.PricePoint::at).thenComparingLong(WindowFeatures.PricePoint::operationId))
                .map(first -> (Decimals.toDouble(price) / Decimals.toDouble(first.price()) - 1) * 100.0)
                .orElse(null);
    }

    /**
     * {@code client_slippage_mean_24h} of every example among one client's operations as of {@code asOf}, by index
     * in the group: the mean
     * slippage_pct of the client's other fills executed in the 24 hours before the trigger; null with none. A
     * window's sum is the difference of two exact (decimal) running sums over the client's fills in time order, so
     * each example costs O(log n) however busy the client: the mean is that exact sum over the count, as a double.
     */
    static Double[] clientSlippageMean24h(GroupHistory sameClient, long asOf) {
        int[] fills = sameClient.sortedBy(sameClient.executedAt, i -> isFillBefore(sameClient, i, asOf));
        WindowFeatures.Timeline times = WindowFeatures.Timeline.of(fills, sameClient.executedAt);
        BigDecimal[] sumBefore = new BigDecimal[fills.length + 1];
        sumBefore[0] = BigDecimal.ZERO;
        for (int k = 0; k < fills.length; k++) {
            sumBefore[k + 1] = sumBefore[k].add(sameClient.slippagePct[fills[k]]);
        }
        long width = WindowFeatures.micros(CLIENT_WINDOW);
        Double[] out = new Double[sameClient.size];
        for (int i = 0; i < sameClient.size; i++) {
            if (!sameClient.isExampleAsOf(i, asOf)) {
                continue;
            }
            long t = sameClient.triggeredAt[i];
            int from = times.firstNotBefore(t - width);
            int to = times.firstNotBefore(t);
            BigDecimal sum = sumBefore[to].subtract(sumBefore[from]);
            int count = to - from;
            if (isFillBefore(sameClient, i, asOf) && WindowFeatures.Timeline.holds(sameClient.executedAt[i], t - width, t)) {
                sum = sum.subtract(sameClient.slippagePct[i]); // its own fill, final before its trigger within the clocks' skew
                count--;
            }
            out[i] = count == 0 ? null : Decimals.toDouble(sum) / count;
        }
        return out;
    }

    /**
     * {@code client_failure_rate_24h} of every example among one client's operations as of {@code asOf}, by index
     * in the group: FAILED
     * outcomes among the client's other EXECUTED/FAILED outcomes final in the 24 hours before the trigger; null
     * with none. Counted with running counts over the client's outcomes in time order: O(n log n).
     */
    static Double[] clientFailureRate24h(GroupHistory sameClient, long asOf) {
        return clientFailureRate24h(sameClient, WindowFeatures.outcomesBefore(sameClient, asOf), asOf);
    }

    /** {@link #clientFailureRate24h(GroupHistory, long)} over the client's outcomes as of {@code asOf}, sorted once. */
    static Double[] clientFailureRate24h(GroupHistory sameClient, int[] outcomes, long asOf) {
        WindowFeatures.Timeline times = WindowFeatures.Timeline.of(outcomes, sameClient.outcomeAt);
        int[] failedBefore = new int[outcomes.length + 1];
        for (int k = 0; k < outcomes.length; k++) {
            failedBefore[k + 1] = failedBefore[k] + (sameClient.failed[outcomes[k]] ? 1 : 0);
        }
        long width = WindowFeatures.micros(CLIENT_WINDOW);
        Double[] out = new Double[sameClient.size];
        for (int i = 0; i < sameClient.size; i++) {
            if (!sameClient.isExampleAsOf(i, asOf)) {
                continue;
            }
            long t = sameClient.triggeredAt[i];
            int from = times.firstNotBefore(t - width);
            int to = times.firstNotBefore(t);
            int others = to - from;
            int failed = failedBefore[to] - failedBefore[from];
            if (WindowFeatures.Timeline.holds(sameClient.outcomeAt[i], t - width, t)) {
                others--; // its own outcome, final before its trigger within the clocks' skew
                failed -= sameClient.failed[i] ? 1 : 0;
            }
            out[i] = others == 0 ? null : (double) failed / others;
        }
        return out;
    }

    /** A fill known before {@code asOf}: EXECUTED with an execution time and a slippage. */
    private static boolean isFillBefore(GroupHistory group, int i, long asOf) {
        return group.executed[i] && group.executedAt[i] != GroupHistory.NO_TIME && group.slippagePct[i] != null
                && group.executedAt[i] < asOf;
    }
}
