package io.deepstorage.bronze;

import java.math.BigDecimal;

/**
 * One change of the stop_events outbox as the CDC source delivered it, before validation. A plain Flink POJO
 * (public fields, no-arg constructor) so it travels between operators without Kryo.
 *
 * <p>{@code problem} is set when the source row could not even be read into these fields (a column missing, a
 * type changed); {@code rawRow} then holds what the source delivered.
 */
public class OutboxChange {
    public static final String SNAPSHOT = "SNAPSHOT";
    /** Read from the outbox table itself by a replay (no WAL position; the inserting transaction's id). */
    public static final String REPLAY = "REPLAY";
    public static final String INSERT = "INSERT";
    public static final String UPDATE = "UPDATE";
    public static final String DELETE = "DELETE";

    public String kind;
    public String eventId;
    public Long eventSeq;
    /** ISO-8601 instant text as the source delivered it (Debezium's ZonedTimestamp). */
    public String occurredAt;
    public Long operationId;
    public Long clientId;
    public String symbol;
    public String eventType;
    public BigDecimal triggerPrice;
    public BigDecimal stopPrice;
    public BigDecimal quantity;
    public String side;
    public String executionToken;
    public String payloadJson;
    public String requestPayloadHash;
    public String exchangeOrderId;
    public BigDecimal fillPrice;
    public BigDecimal slippagePct;
    public String source;
    public String errorMessage;
    public Integer retryCount;
    /**
     * The row's columns that none of the fields above name (a migration added them), as one JSON object: column
     * name → value, in table column order; null when the row has none. Kept as text so the POJO stays Kryo-free;
     * the value rendering is the one BronzeEvent.extra_columns documents.
     */
    public String extraColumnsJson;

    /** Orders transactions: equal for all changes of one transaction, increasing in commit order. */
    public Long commitOrderLsn;
    /** WAL position of the change itself: orders changes within a transaction. */
    public Long lsn;
    public Long txId;
    /** Commit time (streamed changes) or read time (snapshot), epoch micros. */
    public Long sourceTimeMicros;

    public String problem;
    public String rawRow;

    public OutboxChange() {}
}
