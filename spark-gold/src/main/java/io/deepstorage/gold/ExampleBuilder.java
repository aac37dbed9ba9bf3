package io.deepstorage.gold;

import java.time.Instant;
import java.util.List;

import io.deepstorage.schemas.StopOutcomeExample;

/** One training row: the stop's trigger-time features, its outcome labels, and where it came from. Pure. */
public final class ExampleBuilder {
    /** Features in the data team's plan that have no source column; recorded in the manifest. */
    public static final List<String[]> OMITTED_FEATURES = List.of(
            new String[] {"time_to_trigger_sec", "no source column: silver has no stop placement (creation) time, only events from the trigger on"},
            new String[] {"volume_24h", "no source column: the outbox holds no traded volume or market data"});
    public static final List<String> FEATURES = List.of(
            "stop_distance_pct", "volatility_15m", "hour_of_day", "day_of_week", "consecutive_failures_1h");
    public static final List<String> LABELS = List.of("execution_success", "slippage_breach", "execution_time_sec");

    private ExampleBuilder() {}

    public static StopOutcomeExample build(SilverOperation op, List<WindowFeatures.PricePoint> sameSymbolTriggers,
                                           List<WindowFeatures.Outcome> sameClientOutcomes, String version, Instant generatedAt) {
        return build(op,
                WindowFeatures.volatility15m(op.operationId(), op.triggeredAt(), sameSymbolTriggers),
                WindowFeatures.consecutiveFailures1h(op.operationId(), op.triggeredAt(), sameClientOutcomes),
                version, generatedAt);
    }

    /** With the two {@link WindowFeatures} already computed (the Spark job computes them per symbol and per client). */
    public static StopOutcomeExample build(SilverOperation op, Double volatility15m, int consecutiveFailures1h,
                                           String version, Instant generatedAt) {
        return StopOutcomeExample.newBuilder()
                .setOperationId(op.operationId())
                .setClientId(op.clientId())
                .setSymbol(op.symbol())
                .setTriggeredAt(op.triggeredAt())
                .setStopDistancePct(TriggerFeatures.stopDistancePct(op.entryPrice(), op.stopPrice()))
                .setVolatility15m(volatility15m)
                .setHourOfDay(TriggerFeatures.hourOfDay(op.triggeredAt()))
                .setDayOfWeek(TriggerFeatures.dayOfWeek(op.triggeredAt()))
                .setConsecutiveFailures1h(consecutiveFailures1h)
                .setExecutionSuccess(OutcomeLabels.executionSuccess(op))
                .setSlippageBreach(OutcomeLabels.slippageBreach(op))
                .setExecutionTimeSec(OutcomeLabels.executionTimeSec(op))
                .setVersion(version)
                .setGeneratedAt(generatedAt)
                .setSourceEventIds(op.sourceEventIds())
                .build();
    }
}
