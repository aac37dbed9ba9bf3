package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.deepstorage.schemas.SilverStatus;

/** The silver columns gold reads, for one operation. */
public record SilverOperation(
        long operationId,
        long clientId,
        String symbol,
        String status,
        Instant triggeredAt,
        Instant executedAt,
        Instant failedAt,
        BigDecimal triggerPrice,
        BigDecimal stopPrice,
        BigDecimal entryPrice,
        BigDecimal slippagePct,
        List<String> sourceEventIds) {

    /** When the outcome became final: executed_at for EXECUTED, failed_at for FAILED; null otherwise. */
    public Instant outcomeAt() {
        return switch (outcomeTime(status)) {
            case EXECUTED_AT -> executedAt;
            case FAILED_AT -> failedAt;
            case NONE -> null;
        };
    }

    /** Which of an operation's times is its outcome's, by status ({@link #outcomeAt()}; {@link GroupHistory}'s too). */
    enum OutcomeTime { EXECUTED_AT, FAILED_AT, NONE }

    static OutcomeTime outcomeTime(String status) {
        return switch (status) {
            case SilverStatus.EXECUTED -> OutcomeTime.EXECUTED_AT;
            case SilverStatus.FAILED -> OutcomeTime.FAILED_AT;
            default -> OutcomeTime.NONE;
        };
    }

    /**
     * A training example: triggered, and finished (EXECUTED or FAILED) before {@code asOf}. BLOCKED stops never
     * reached the exchange (a guard's decision, not an execution outcome) and PENDING/SUBMITTED ones have no
     * outcome yet; labelling either as a failure would teach the model the wrong thing.
     */
    public boolean isExampleAsOf(Instant asOf) {
        Instant outcome = outcomeAt();
        return triggeredAt != null && outcome != null && outcome.isBefore(asOf);
    }
}
