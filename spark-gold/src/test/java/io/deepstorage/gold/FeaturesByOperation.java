package io.deepstorage.gold;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The group-wide features of a history of operations, by operation id of each example: what the tests read. */
final class FeaturesByOperation {
    private FeaturesByOperation() {}

    static Map<Long, Double> volatility15m(List<SilverOperation> history, Instant asOf) {
        return byOperation(history, asOf, WindowFeatures::volatility15m);
    }

    static Map<Long, Integer> consecutiveFailures1h(List<SilverOperation> history, Instant asOf) {
        return byOperation(history, asOf, WindowFeatures::consecutiveFailures1h);
    }

    static Map<Long, Double> triggerPriceChange15m(List<SilverOperation> history, Instant asOf) {
        return byOperation(history, asOf, SlippageFeatures::triggerPriceChange15m);
    }

    static Map<Long, Double> clientSlippageMean24h(List<SilverOperation> history, Instant asOf) {
        return byOperation(history, asOf, SlippageFeatures::clientSlippageMean24h);
    }

    static Map<Long, Double> clientFailureRate24h(List<SilverOperation> history, Instant asOf) {
        return byOperation(history, asOf, SlippageFeatures::clientFailureRate24h);
    }

    /** Every example's value (null values kept), in history order; a non-example has no entry and must have no value. */
    private static <T> Map<Long, T> byOperation(List<SilverOperation> history, Instant asOf, BiFunction<GroupHistory, Long, T[]> feature) {
        GroupHistory group = GroupHistory.of(history);
        long at = GroupHistory.micros(asOf);
        T[] values = feature.apply(group, at);
        Map<Long, T> out = new LinkedHashMap<>();
        for (int i = 0; i < group.size; i++) {
            if (group.isExampleAsOf(i, at)) {
                out.put(group.operationId[i], values[i]);
            } else if (values[i] != null) {
                throw new AssertionError("operation " + group.operationId[i] + " is no example but has a value: " + values[i]);
            }
        }
        return out;
    }
}
