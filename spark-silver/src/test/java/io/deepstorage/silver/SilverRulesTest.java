package io.deepstorage.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.deepstorage.schemas.StopExecution;
import io.deepstorage.spark.JobFailedException;
import org.junit.jupiter.api.Test;

class SilverRulesTest {
    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    /** A clean EXECUTED row: stop 100, fill 99, slippage 1 %. */
    private static StopExecution.Builder executed() {
        return StopExecution.newBuilder().setOperationId(1).setClientId(7).setSymbol("BTCUSDC").setStatus("EXECUTED")
                .setSource("ws").setFirstEventAt(T).setLastEventAt(T.plusSeconds(3)).setTriggeredAt(T)
                .setSubmittedAt(T.plusSeconds(1)).setExecutedAt(T.plusSeconds(3))
                .setTriggerPrice(new BigDecimal("100.00000000")).setStopPrice(new BigDecimal("100.00000000"))
                .setQuantity(new BigDecimal("0.50000000")).setFillPrice(new BigDecimal("99.00000000"))
                .setSlippagePct(new BigDecimal("1.0000")).setAttempts(1).setEventCount(3).setLastEventType("EXECUTED")
                .setSourceEventIds(List.of("a", "b", "c"));
    }

    private static List<String> broken(StopExecution.Builder row) {
        return SilverRules.broken(row.build(), SilverRules.DEFAULTS);
    }

    @Test
    void aCleanExecutedRowBreaksNoRule() {
        assertThat(broken(executed())).isEmpty();
        assertThat(broken(executed().setStatus("FAILED").setExecutedAt(null).setFillPrice(null).setSlippagePct(null)
                .setFailedAt(T.plusSeconds(2)))).isEmpty();
    }

    @Test
    void eachRuleIsBrokenByItsOwnKindOfBadRow() {
        assertThat(broken(executed().setStatus("DONE"))).containsExactly(SilverRules.STATUS_IN_DOMAIN);
        assertThat(broken(executed().setFillPrice(null).setSlippagePct(null))).containsExactly(SilverRules.EXECUTED_HAS_FILL);
        assertThat(broken(executed().setExecutedAt(null))).containsExactly(SilverRules.EXECUTED_HAS_FILL);
        assertThat(broken(executed().setSubmittedAt(T.minusSeconds(60)))).containsExactly(SilverRules.TIMES_IN_ORDER);
        assertThat(broken(executed().setSubmittedAt(null).setExecutedAt(T.minusSeconds(6)))).containsExactly(SilverRules.TIMES_IN_ORDER);
        assertThat(broken(executed().setSlippagePct(new BigDecimal("1.5000")))).containsExactly(SilverRules.SLIPPAGE_MATCHES_FILL);
        assertThat(broken(executed().setQuantity(BigDecimal.ZERO))).containsExactly(SilverRules.QUANTITY_POSITIVE);
        assertThat(broken(executed().setTriggerPrice(new BigDecimal("-1")))).containsExactly(SilverRules.PRICES_IN_RANGE);
        assertThat(broken(executed().setEntryPrice(new BigDecimal("1000000000000")))).containsExactly(SilverRules.PRICES_IN_RANGE);
        assertThat(broken(executed().setSymbol(" "))).containsExactly(SilverRules.CLIENT_AND_SYMBOL_PRESENT);
        assertThat(broken(executed().setClientId(0))).containsExactly(SilverRules.CLIENT_AND_SYMBOL_PRESENT);
    }

    @Test
    void theAppsClockSkewWithinToleranceIsNoBrokenOrderNorIsRoundingOfTheSlippage() {
        // SUBMITTED stamped 2 s "before" its trigger by another worker's clock; slippage rounded to 4 decimals.
        assertThat(broken(executed().setSubmittedAt(T.minusSeconds(2)))).isEmpty();
        assertThat(broken(executed().setFillPrice(new BigDecimal("98.99995000")))).isEmpty();
        assertThat(SilverRules.broken(executed().setSubmittedAt(T.minusSeconds(2)).build(),
                new SilverRules.Tolerances(new BigDecimal("0.01"), java.time.Duration.ZERO))).containsExactly(SilverRules.TIMES_IN_ORDER);
    }

    @Test
    void aRuleBrokenByMoreThanTheThresholdFailsTheRunNamingTheWorstRuleAndItsShare() {
        SilverRules.check(Map.of(SilverRules.TIMES_IN_ORDER, 1L), 100, 0.01); // 1 %: at the threshold, allowed
        assertThatThrownBy(() -> SilverRules.check(Map.of(SilverRules.TIMES_IN_ORDER, 2L, SilverRules.EXECUTED_HAS_FILL, 5L), 100, 0.01))
                .isInstanceOf(JobFailedException.class)
                .hasMessageStartingWith("silver rule executed_has_fill is broken by 5.0% of operations (5 of 100), over the 1.0% threshold");
    }
}
