package io.deepstorage.schemas;

import java.util.List;
import java.util.Set;

/** The outbox's event types; the silver statuses they lead to are {@link SilverStatus}. Unknown types pass through untouched. */
public final class EventTypes {
    public static final String STOP_TRIGGERED = "STOP_TRIGGERED";
    public static final String EXECUTION_SUBMITTED = "EXECUTION_SUBMITTED";
    public static final String EXECUTED = "EXECUTED";
    public static final String FAILED = "FAILED";
    public static final String BLOCKED = "BLOCKED";
    public static final String STALE_PRICE = "STALE_PRICE";
    public static final String KILL_SWITCH = "KILL_SWITCH";
    public static final String SLIPPAGE_BREACH = "SLIPPAGE_BREACH";
    public static final String CIRCUIT_BREAKER = "CIRCUIT_BREAKER";

    /**
     * Guard outcomes: the stop was stopped before it reached the exchange. A list in a fixed order, so code that
     * picks one by index (the traffic generator) is deterministic.
     */
    public static final List<String> GUARDS = List.of(BLOCKED, STALE_PRICE, KILL_SWITCH, CIRCUIT_BREAKER, SLIPPAGE_BREACH);

    public static final Set<String> KNOWN = Set.of(
            STOP_TRIGGERED, EXECUTION_SUBMITTED, EXECUTED, FAILED, BLOCKED, STALE_PRICE, KILL_SWITCH,
            SLIPPAGE_BREACH, CIRCUIT_BREAKER);

    private EventTypes() {}
}
