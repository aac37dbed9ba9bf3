package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
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
     */
    public static Map<Long, Double> triggerPriceChange15m(Collection<SilverOperation> sameSymbol, Instant asOf) {
        Map<Long, BigDecimal> ownPrice = new java.util.HashMap<>();
        sameSymbol.forEach(op -> ownPrice.put(op.operationId(), op.triggerPrice()));
        List<WindowFeatures.PricePoint> points = sameSymbol.stream()
                .filter(op -> op.triggeredAt() != null && op.triggerPrice() != null && op.triggeredAt().isBefore(asOf))
                .map(op -> new WindowFeatures.PricePoint(op.operationId(), op.triggeredAt(), op.triggerPrice()))
                .sorted(Comparator.comparing(WindowFeatures.PricePoint::at))
                .toList();
        return WindowFeatures.perExample(sameSymbol, asOf, points, WindowFeatures.PricePoint::at, PRICE_WINDOW,
                (id, at, window) -> triggerPriceChangePct(id, ownPrice.get(id), window));
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
     * slippage_pct of the client's other fills executed in the 24 hours before the trigger; null with none.
     */
    public static Map<Long, Double> clientSlippageMean24h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<Fill> fills = sameClient.stream()
                .filter(op -> SilverStatus.EXECUTED.equals(op.status()) && op.executedAt() != null
                        && op.slippagePct() != null && op.executedAt().isBefore(asOf))
                .map(op -> new Fill(op.operationId(), op.executedAt(), op.slippagePct()))
                .sorted(Comparator.comparing(Fill::executedAt))
                .toList();
        return WindowFeatures.perExample(sameClient, asOf, fills, Fill::executedAt, CLIENT_WINDOW,
                (id, at, window) -> window.stream().filter(f -> f.operationId() != id)
                        .mapToDouble(f -> f.slippagePct().doubleValue()).average().stream().boxed().findFirst().orElse(null));
    }

    /**
     * {@code client_failure_rate_24h} of every example among one client's operations as of {@code asOf}: FAILED
     * outcomes among the client's other EXECUTED/FAILED outcomes final in the 24 hours before the trigger; null
     * with none.
     */
    public static Map<Long, Double> clientFailureRate24h(Collection<SilverOperation> sameClient, Instant asOf) {
        List<WindowFeatures.Outcome> outcomes = sameClient.stream()
                .filter(op -> op.outcomeAt() != null && op.outcomeAt().isBefore(asOf))
                .map(op -> new WindowFeatures.Outcome(op.operationId(), op.outcomeAt(), SilverStatus.FAILED.equals(op.status())))
                .sorted(Comparator.comparing(WindowFeatures.Outcome::at))
                .toList();
        return WindowFeatures.perExample(sameClient, asOf, outcomes, WindowFeatures.Outcome::at, CLIENT_WINDOW,
                (id, at, window) -> {
                    List<WindowFeatures.Outcome> others = window.stream().filter(o -> o.operationId() != id).toList();
                    return others.isEmpty() ? null : (double) others.stream().filter(WindowFeatures.Outcome::failed).count() / others.size();
                });
    }
}
