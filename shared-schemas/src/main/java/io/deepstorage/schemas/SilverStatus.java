package io.deepstorage.schemas;

import java.util.List;

/**
 * The status of a silver stop_executions row: where an operation's events in commit order left it. Silver writes
 * them, gold reads them, the traffic generator predicts them; they are spelled here only.
 */
public final class SilverStatus {
    /** Triggered (or only unknown event types seen), nothing sent to the exchange yet. */
    public static final String PENDING = "PENDING";
    /** Sent to the exchange, no outcome yet. */
    public static final String SUBMITTED = "SUBMITTED";
    /** Filled by the exchange. */
    public static final String EXECUTED = "EXECUTED";
    /** The latest attempt failed. */
    public static final String FAILED = "FAILED";
    /** A guard ({@link EventTypes#GUARDS}) stopped the order before the exchange. */
    public static final String BLOCKED = "BLOCKED";

    public static final List<String> ALL = List.of(PENDING, SUBMITTED, EXECUTED, FAILED, BLOCKED);

    private SilverStatus() {}
}
