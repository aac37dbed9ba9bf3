package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deepstorage.schemas.SilverStatus;

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

    /** A fill of some operation of the same client: when it executed and its slippage. */
    public record Fill(long operationId, Instant executedAt, BigDecimal slippagePct) {}

    /**
     * {@code trigger_price_change_15m_pct} of every example among one symbol's operations as of {@code asOf}: this
     * trigger price against the earliest trigger price of another operation of the symbol in the 15 minutes before
     * (exactly 15 minutes before counts, at the trigger time does not), in %; null with none or an unknown price.
     * The earliest price of a window is the first of its slice of the symbol's sorted prices: O(n log n).
     */
    public static Map<Long, Double> triggerPriceChange15m(Collection<SilverOperation> sameSymbol, Instant asOf) {
        WindowFeatures.PriceSeries prices = WindowFeatures.PriceSeries.of(sameSymbol, asOf);
        Map<Long, Double> out = new LinkedHashMap<>();
        for (SilverOperation op : sameSymbol) {
            if (op.isExampleAsOf(asOf)) {
                int[] w = prices.times().window(op.triggeredAt(), PRICE_WINDOW);
                out.put(op.operationId(), op.triggerPrice() == null || w[1] == w[0] ? null
                        : (op.triggerPrice().doubleValue() / prices.prices()[w[0]] - 1) * 100.0);
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
                .map(first -> (price.doubleValue() / first.price().doubleValue() - 1) * 100.0)
                .orElse(null);
    }

    /**
     * {@code client_slippage_mean_24h} of every example among one client's operations as of {@code asOf}: the mean
     * slippage_pct of the client's other fills executed in the 24 hours before the trigger; null with none. A
     * window's sum is the difference of two exact (decimal) running sums over the client's fills in time order, so
     * each example costs O(log n) however busy the client: the mean is that exact sum over the count, as a double.
     */
    public static Map<Long, Double> clientSlippageMean24h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<Fill> fills = sameClient.stream()
                .filter(op -> isFillBefore(op, asOf))
                .map(op -> new Fill(op.operationId(), op.executedAt(), op.slippagePct()))
                .sorted(Comparator.comparing(Fill::executedAt).thenComparingLong(Fill::operationId))
                .toList();
        WindowFeatures.Timeline times = WindowFeatures.Timeline.of(fills, Fill::executedAt);
        BigDecimal[] sumBefore = new BigDecimal[fills.size() + 1];
        sumBefore[0] = BigDecimal.ZERO;
        for (int i = 0; i < fills.size(); i++) {
            sumBefore[i + 1] = sumBefore[i].add(fills.get(i).slippagePct());
        }
        Map<Long, Double> out = new LinkedHashMap<>();
        for (SilverOperation op : sameClient) {
            if (!op.isExampleAsOf(asOf)) {
                continue;
            }
            int[] w = times.window(op.triggeredAt(), CLIENT_WINDOW);
            BigDecimal sum = sumBefore[w[1]].subtract(sumBefore[w[0]]);
            int count = w[1] - w[0];
            if (isFillBefore(op, asOf) && WindowFeatures.Timeline.holds(op.executedAt(), op.triggeredAt().minus(CLIENT_WINDOW), op.triggeredAt())) {
                sum = sum.subtract(op.slippagePct()); // its own fill, final before its trigger within the clocks' skew
                count--;
            }
            out.put(op.operationId(), count == 0 ? null : sum.doubleValue() / count);
        }
        return out;
    }

    /**
     * {@code client_failure_rate_24h} of every example among one client's operations as of {@code asOf}: FAILED
     * outcomes among the client's other EXECUTED/FAILED outcomes final in the 24 hours before the trigger; null
     * with none. Counted with running counts over the client's outcomes in time order: O(n log n).
     */
    public static Map<Long, Double> clientFailureRate24h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<WindowFeatures.Outcome> outcomes = WindowFeatures.outcomesBefore(sameClient, asOf);
        WindowFeatures.Timeline times = WindowFeatures.Timeline.of(outcomes, WindowFeatures.Outcome::at);
        int[] failedBefore = new int[outcomes.size() + 1];
        for (int i = 0; i < outcomes.size(); i++) {
            failedBefore[i + 1] = failedBefore[i] + (outcomes.get(i).failed() ? 1 : 0);
        }
        Map<Long, Double> out = new LinkedHashMap<>();
        for (SilverOperation op : sameClient) {
            if (!op.isExampleAsOf(asOf)) {
                continue;
            }
            int[] w = times.window(op.triggeredAt(), CLIENT_WINDOW);
            int others = w[1] - w[0];
            int failed = failedBefore[w[1]] - failedBefore[w[0]];
            if (WindowFeatures.Timeline.holds(op.outcomeAt(), op.triggeredAt().minus(CLIENT_WINDOW), op.triggeredAt())) {
                others--; // its own outcome, final before its trigger within the clocks' skew
                failed -= SilverStatus.FAILED.equals(op.status()) ? 1 : 0;
            }
            out.put(op.operationId(), others == 0 ? null : (double) failed / others);
        }
        return out;
    }

    private static boolean isFillBefore(SilverOperation op, Instant asOf) {
        return SilverStatus.EXECUTED.equals(op.status()) && op.executedAt() != null && op.slippagePct() != null
                && op.executedAt().isBefore(asOf);
    }
}
