package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.schemas.SlippagePredictionExample;

/** One slippage_prediction row: an executed stop's trigger-time features and its slippage. Pure. */
public final class SlippageExampleBuilder {
    public static final List<String> FEATURES = List.of("stop_distance_pct", "volatility_15m",
            "trigger_price_change_15m_pct", "hour_of_day", "day_of_week", "client_slippage_mean_24h",
            "client_failure_rate_24h", "quantity", "side");
    public static final List<String[]> OMITTED_FEATURES = List.of(
            new String[] {"order_book_depth", "no source column: the outbox holds no order book or market data"},
            new String[] {"volume_24h", "no source column: the outbox holds no traded volume or market data"});
    public static final List<String> LABELS = List.of("slippage_pct", "slippage_breach");

    private SlippageExampleBuilder() {}

    /** An example: EXECUTED with a fill price and a slippage, triggered, executed before {@code asOf}. */
    public static boolean isExample(SilverOperation op, boolean hasFillPrice, Instant asOf) {
        return SilverStatus.EXECUTED.equals(op.status()) && hasFillPrice && op.slippagePct() != null
                && op.triggeredAt() != null && op.executedAt() != null && op.executedAt().isBefore(asOf);
    }

    /** The other operations' features already computed per symbol and per client ({@link SlippageFeatures}). */
    public static SlippagePredictionExample build(SilverOperation op, BigDecimal quantity, String side,
                                                  Double volatility15m, Double triggerPriceChange15mPct,
                                                  Double clientSlippageMean24h, Double clientFailureRate24h,
                                                  String version, Instant generatedAt) {
        return SlippagePredictionExample.newBuilder()
                .setOperationId(op.operationId())
                .setClientId(op.clientId())
                .setSymbol(op.symbol())
                .setTriggeredAt(op.triggeredAt())
                .setStopDistancePct(TriggerFeatures.stopDistancePct(op.entryPrice(), op.stopPrice()))
                .setVolatility15m(volatility15m)
                .setTriggerPriceChange15mPct(triggerPriceChange15mPct)
                .setHourOfDay(TriggerFeatures.hourOfDay(op.triggeredAt()))
                .setDayOfWeek(TriggerFeatures.dayOfWeek(op.triggeredAt()))
                .setClientSlippageMean24h(clientSlippageMean24h)
                .setClientFailureRate24h(clientFailureRate24h)
                .setQuantity(quantity == null ? null : Decimals.toDouble(quantity))
                .setSide(side)
                .setSlippagePct(Decimals.toDouble(op.slippagePct()))
                .setSlippageBreach(OutcomeLabels.slippageBreach(op))
                .setVersion(version)
                .setGeneratedAt(generatedAt)
                .setSourceEventIds(op.sourceEventIds())
                .build();
    }
}
