package io.deepstorage.silver;

import java.math.BigDecimal;
import java.time.Instant;

/** The bronze columns the silver fold needs, one committed change of one outbox row. */
public record BronzeRecord(
        String eventId,
        Long eventSeq,
        Instant occurredAt,
        long operationId,
        long clientId,
        String symbol,
        String eventType,
        BigDecimal triggerPrice,
        BigDecimal stopPrice,
        BigDecimal quantity,
        String side,
        String executionToken,
        String payloadJson,
        String exchangeOrderId,
        BigDecimal fillPrice,
        BigDecimal slippagePct,
        String source,
        String errorMessage,
        String changeKind,
        Long sourceCommitLsn,
        Long sourceLsn,
        Long sourceTxId,
        Instant sourceCommitTs,
        Instant ingestedAt) {

    /** Rows read by the initial snapshot (or without a commit position) come before every streamed change. */
    public boolean isStreamed() {
        return sourceCommitLsn != null;
    }
}
