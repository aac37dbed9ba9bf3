package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Duration;

import io.deepstorage.schemas.SilverStatus;

/** The labels of a finished stop. Pure functions. */
public final class OutcomeLabels {
    public static final BigDecimal SLIPPAGE_BREACH_PCT = BigDecimal.TEN;

    private OutcomeLabels() {}

    public static boolean executionSuccess(SilverOperation op) {
        return SilverStatus.EXECUTED.equals(op.status());
    }

    /** Slippage strictly over 10 %. */
    public static boolean slippageBreach(SilverOperation op) {
        return op.slippagePct() != null && op.slippagePct().compareTo(SLIPPAGE_BREACH_PCT) > 0;
    }

    /** executed_at - triggered_at in seconds, for executed stops only. */
    public static Double executionTimeSec(SilverOperation op) {
        if (!executionSuccess(op) || op.executedAt() == null || op.triggeredAt() == null) {
            return null;
        }
        return Duration.between(op.triggeredAt(), op.executedAt()).toNanos() / 1e9;
    }
}
