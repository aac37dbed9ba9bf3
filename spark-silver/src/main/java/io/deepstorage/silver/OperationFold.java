package io.deepstorage.silver;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepstorage.schemas.EventTypes;
import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.schemas.StopExecution;

/**
 * Folds all bronze rows of one operation into its silver row. Pure: no Spark, no I/O.
 * Later events in commit order win the status ({@link SilverStatus}); unknown event types are counted but change
 * nothing else.
 */
public final class OperationFold {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRICE_SCALE = 8;
    private static final int PRICE_PRECISION = 20;

    private OperationFold() {}

    /** Bronze rows of one operation in any order, duplicates included. */
    public static StopExecution fold(Collection<BronzeRecord> rows) {
        return foldInCommitOrder(CommitOrder.latestVersions(rows));
    }

    /** Distinct events of one operation, already in commit order. */
    public static StopExecution foldInCommitOrder(List<BronzeRecord> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an operation has at least one event");
        }
        // Nothing decided yet until a known event says otherwise (an operation seen only through unknown types).
        String status = SilverStatus.PENDING;
        Instant first = null;
        Instant last = null;
        Instant triggeredAt = null;
        Instant submittedAt = null;
        Instant executedAt = null;
        Instant failedAt = null;
        Instant blockedAt = null;
        BronzeRecord latestTrigger = null;
        // A failed attempt's trigger is rolled back with it; the lone FAILED still carries the stop's prices.
        BronzeRecord latestWithStop = null;
        BronzeRecord latestExecution = null;
        String side = null;
        String exchangeOrderId = null;
        String lastError = null;
        Set<String> tokens = new HashSet<>();
        List<String> eventIds = new ArrayList<>();

        for (BronzeRecord e : events) {
            eventIds.add(e.eventId());
            first = first == null || e.occurredAt().isBefore(first) ? e.occurredAt() : first;
            last = last == null || e.occurredAt().isAfter(last) ? e.occurredAt() : last;
            if (e.executionToken() != null) {
                tokens.add(e.executionToken());
            }
            if (e.exchangeOrderId() != null) {
                exchangeOrderId = e.exchangeOrderId();
            }
            if (e.side() != null) {
                side = e.side();
            }
            if (e.stopPrice() != null) {
                latestWithStop = e;
            }
            String type = e.eventType();
            if (EventTypes.STOP_TRIGGERED.equals(type)) {
                status = SilverStatus.PENDING;
                triggeredAt = triggeredAt == null ? e.occurredAt() : triggeredAt;
                latestTrigger = e;
            } else if (EventTypes.EXECUTION_SUBMITTED.equals(type)) {
                status = SilverStatus.SUBMITTED;
                submittedAt = e.occurredAt();
            } else if (EventTypes.EXECUTED.equals(type)) {
                status = SilverStatus.EXECUTED;
                executedAt = e.occurredAt();
                latestExecution = e;
            } else if (EventTypes.FAILED.equals(type)) {
                status = SilverStatus.FAILED;
                failedAt = e.occurredAt();
                lastError = e.errorMessage();
            } else if (EventTypes.GUARDS.contains(type)) {
                status = SilverStatus.BLOCKED;
                blockedAt = e.occurredAt();
                lastError = e.errorMessage() != null ? e.errorMessage() : type;
            }
        }
        BronzeRecord latest = events.get(events.size() - 1);
        BronzeRecord stop = latestTrigger != null ? latestTrigger : latestWithStop;
        return StopExecution.newBuilder()
                .setOperationId(latest.operationId())
                .setClientId(latest.clientId())
                .setSymbol(latest.symbol())
                .setStatus(status)
                .setSide(latestTrigger != null && latestTrigger.side() != null ? latestTrigger.side() : side)
                .setSource(latest.source())
                .setFirstEventAt(first)
                .setLastEventAt(last)
                .setTriggeredAt(triggeredAt)
                .setSubmittedAt(submittedAt)
                .setExecutedAt(executedAt)
                .setFailedAt(failedAt)
                .setBlockedAt(blockedAt)
                .setTriggerPrice(stop == null ? null : stop.triggerPrice())
                .setStopPrice(stop == null ? null : stop.stopPrice())
                .setQuantity(stop == null ? null : stop.quantity())
                .setEntryPrice(stop == null ? null : entryPrice(stop.payloadJson()))
                .setFillPrice(latestExecution == null ? null : latestExecution.fillPrice())
                .setSlippagePct(latestExecution == null ? null : latestExecution.slippagePct())
                .setExchangeOrderId(exchangeOrderId)
                .setAttempts(Math.max(1, tokens.size()))
                .setEventCount(events.size())
                .setLastError(lastError)
                .setLastEventType(latest.eventType())
                .setSourceEventIds(eventIds)
                .build();
    }

    /** payload_json.entry_price when it is a number (or a numeric string) that fits decimal(20,8); else null. */
    public static BigDecimal entryPrice(String payloadJson) {
        if (payloadJson == null || payloadJson.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(payloadJson).get("entry_price");
            if (node == null || node.isNull()) {
                return null;
            }
            BigDecimal value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
            if (value == null) {
                return null;
            }
            BigDecimal scaled = value.setScale(PRICE_SCALE, RoundingMode.HALF_UP);
            return scaled.precision() > PRICE_PRECISION ? null : scaled;
        } catch (Exception notJsonOrNotNumeric) {
            // Payload keys are free-form; a bad one must not stop the fold.
            return null;
        }
    }

    /** The silver date partition: UTC date of the operation's earliest event. */
    public static LocalDate partitionDate(StopExecution row) {
        return row.getFirstEventAt().atOffset(ZoneOffset.UTC).toLocalDate();
    }
}
