package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.deepstorage.schemas.SlippagePredictionExample;
import org.junit.jupiter.api.Test;

/**
 * slippage_prediction's features on a crafted history of one client and one symbol, with every value worked out by
 * hand. Example D triggers at 10:20. What it may see: fills and outcomes final before 10:20 within 24 h, trigger
 * prices in [10:05, 10:20). What it must not: E, triggered before D but filled after D's trigger; F, after D; G,
 * 25 hours old.
 */
class SlippageFeaturesTest {
    private static final Instant AS_OF = Instant.parse("2026-11-21T00:00:00Z");
    private static final Instant D_AT = Instant.parse("2026-11-20T10:20:00Z");

    private static SilverOperation op(long id, String status, String triggered, String outcome, String price, String slippage) {
        Instant t = Instant.parse(triggered);
        Instant o = Instant.parse(outcome);
        return new SilverOperation(id, 7, "ETHUSDC", status, t, "EXECUTED".equals(status) ? o : null,
                "FAILED".equals(status) ? o : null, new BigDecimal(price), new BigDecimal("95"), new BigDecimal("100"),
                slippage == null ? null : new BigDecimal(slippage), List.of("e" + id));
    }

    static final SilverOperation A = op(1, "EXECUTED", "2026-11-20T10:00:00Z", "2026-11-20T10:00:05Z", "98", "2.0");
    static final SilverOperation B = op(2, "EXECUTED", "2026-11-20T10:10:00Z", "2026-11-20T10:10:05Z", "100", "4.0");
    static final SilverOperation C = op(3, "FAILED", "2026-11-20T09:00:00Z", "2026-11-20T09:00:10Z", "99", null);
    static final SilverOperation D = op(4, "EXECUTED", "2026-11-20T10:20:00Z", "2026-11-20T10:20:05Z", "105", "1.0");
    /** Triggered 10 s before D, its fill lands 30 s after D's trigger: not known when D triggered. */
    static final SilverOperation E = op(5, "EXECUTED", "2026-11-20T10:19:50Z", "2026-11-20T10:20:30Z", "102", "50.0");
    static final SilverOperation F = op(6, "EXECUTED", "2026-11-20T10:25:00Z", "2026-11-20T10:25:05Z", "200", "30.0");
    static final SilverOperation G = op(7, "EXECUTED", "2026-11-19T09:20:00Z", "2026-11-19T09:20:00Z", "90", "100.0");
    static final List<SilverOperation> HISTORY = List.of(A, B, C, D, E, F, G);

    @Test
    void theClientsMeanSlippageCountsOnlyFillsFinalBeforeTheTriggerWithin24Hours() {
        // A (2.0) and B (4.0); not E (filled after 10:20), F (later), G (25 h before).
        assertThat(FeaturesByOperation.clientSlippageMean24h(HISTORY, AS_OF).get(D.operationId())).isCloseTo(3.0, within(1e-12));
        // A sees nothing before it: G is 24 h 40 min before A.
        assertThat(FeaturesByOperation.clientSlippageMean24h(HISTORY, AS_OF).get(A.operationId())).isNull();
    }

    @Test
    void theClientsFailureRateIsTheShareOfFailedOutcomesFinalBeforeTheTrigger() {
        // A executed, B executed, C failed at 09:00:10: one of three. E's outcome is after 10:20, G's 25 h before.
        assertThat(FeaturesByOperation.clientFailureRate24h(HISTORY, AS_OF).get(D.operationId())).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void theTriggerPriceMovementIsAgainstTheEarliestPriceOfTheFifteenMinutesBefore() {
        // [10:05, 10:20): B 100 at 10:10 and E 102 at 10:19:50 (its trigger was known); A at 10:00 is outside.
        // (105 / 100 - 1) * 100 = 5.
        assertThat(FeaturesByOperation.triggerPriceChange15m(HISTORY, AS_OF).get(D.operationId())).isCloseTo(5.0, within(1e-9));
        assertThat(FeaturesByOperation.triggerPriceChange15m(HISTORY, AS_OF).get(G.operationId())).as("nothing before G").isNull();
    }

    @Test
    void changingWhatHappenedAfterTheTriggerChangesNoneOfItsFeatures() {
        // Everything after D's trigger changed: E's slippage, F's price. D's features stay as they were.
        SilverOperation e2 = op(5, "EXECUTED", "2026-11-20T10:19:50Z", "2026-11-20T10:20:30Z", "102", "90.0");
        SilverOperation f2 = op(6, "EXECUTED", "2026-11-20T10:25:00Z", "2026-11-20T10:25:05Z", "1", "0.1");
        List<SilverOperation> changed = List.of(A, B, C, D, e2, f2, G);
        assertThat(FeaturesByOperation.clientSlippageMean24h(changed, AS_OF).get(D.operationId())).isCloseTo(3.0, within(1e-12));
        assertThat(FeaturesByOperation.triggerPriceChange15m(changed, AS_OF).get(D.operationId())).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void anExampleIsAnExecutedFillFinalBeforeAsOf() {
        assertThat(SlippageExampleBuilder.isExample(D, true, AS_OF)).isTrue();
        assertThat(SlippageExampleBuilder.isExample(D, false, AS_OF)).as("no fill").isFalse();
        assertThat(SlippageExampleBuilder.isExample(C, true, AS_OF)).as("failed").isFalse();
        assertThat(SlippageExampleBuilder.isExample(D, true, D.executedAt())).as("executed at as-of").isFalse();
    }

    @Test
    void theExampleCarriesItsFeaturesAndLabels() {
        SlippagePredictionExample x = SlippageExampleBuilder.build(op(9, "EXECUTED", "2026-11-20T10:20:00Z",
                "2026-11-20T10:20:05Z", "105", "12.5"), new BigDecimal("0.5"), "SELL", 0.01, 5.0, 3.0, 0.25, "1.0.0", AS_OF);
        assertThat(x.getSlippagePct()).isEqualTo(12.5);
        assertThat(x.getSlippageBreach()).isTrue();
        assertThat(x.getStopDistancePct()).isCloseTo(5.0, within(1e-9)); // |100 - 95| / 100
        assertThat(x.getHourOfDay()).isEqualTo(10);
        assertThat(x.getDayOfWeek()).isEqualTo(4); // 2026-11-20 is a Friday
        assertThat(x.getQuantity()).isEqualTo(0.5);
        assertThat(x.getSide()).isEqualTo("SELL");
        assertThat(x.getClientFailureRate24h()).isEqualTo(0.25);
    }
}
