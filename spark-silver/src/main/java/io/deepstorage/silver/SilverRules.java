package io.deepstorage.silver;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.schemas.StopExecution;
import io.deepstorage.spark.JobFailedException;

/**
 * The rules a silver row must keep to be usable downstream, each with a name. A row that breaks one goes to the
 * quarantine with the names of what it broke, not to silver (so gold never sees it). Pure: no Spark.
 */
public final class SilverRules {
    public static final String STATUS_IN_DOMAIN = "status_in_domain";
    public static final String EXECUTED_HAS_FILL = "executed_has_fill";
    public static final String TIMES_IN_ORDER = "times_in_order";
    public static final String SLIPPAGE_MATCHES_FILL = "slippage_matches_fill";
    public static final String QUANTITY_POSITIVE = "quantity_positive";
    public static final String PRICES_IN_RANGE = "prices_in_range";
    public static final String CLIENT_AND_SYMBOL_PRESENT = "client_and_symbol_present";
    public static final List<String> ALL = List.of(STATUS_IN_DOMAIN, EXECUTED_HAS_FILL, TIMES_IN_ORDER,
            SLIPPAGE_MATCHES_FILL, QUANTITY_POSITIVE, PRICES_IN_RANGE, CLIENT_AND_SYMBOL_PRESENT);

    /** Silver's decimal(20,8) prices: at most 12 digits before the point. */
    private static final BigDecimal PRICE_LIMIT = new BigDecimal("1e12");
    /** Silver's decimal(10,4) slippage: at most 6 digits before the point. */
    private static final BigDecimal SLIPPAGE_LIMIT = new BigDecimal("1e6");

    /** The tolerances; {@link #DEFAULTS} is what the job uses unless told otherwise. */
    public record Tolerances(BigDecimal slippagePoints, Duration clockSkew) implements java.io.Serializable {}

    /**
     * 0.01 percentage points: slippage_pct has 4 decimals. 5 s: the app's workers stamp occurred_at with their own
     * clocks, so a SUBMITTED a second "before" its trigger is skew, not a broken row.
     */
    public static final Tolerances DEFAULTS = new Tolerances(new BigDecimal("0.01"), Duration.ofSeconds(5));

    private SilverRules() {}

    /** The names of the rules {@code row} breaks, in {@link #ALL}'s order; empty when it keeps them all. */
    public static List<String> broken(StopExecution row, Tolerances tolerances) {
        List<String> broken = new ArrayList<>(2);
        String status = row.getStatus();
        if (!SilverStatus.ALL.contains(status)) {
            broken.add(STATUS_IN_DOMAIN);
        }
        if (SilverStatus.EXECUTED.equals(status) && (row.getFillPrice() == null || row.getExecutedAt() == null)) {
            broken.add(EXECUTED_HAS_FILL);
        }
        if (!inOrder(row.getTriggeredAt(), row.getSubmittedAt(), tolerances.clockSkew())
                || !inOrder(row.getSubmittedAt(), row.getExecutedAt(), tolerances.clockSkew())
                || !inOrder(row.getTriggeredAt(), row.getExecutedAt(), tolerances.clockSkew())) {
            broken.add(TIMES_IN_ORDER);
        }
        if (!slippageMatches(row.getFillPrice(), row.getStopPrice(), row.getSlippagePct(), tolerances.slippagePoints())) {
            broken.add(SLIPPAGE_MATCHES_FILL);
        }
        if (row.getQuantity() != null && row.getQuantity().signum() <= 0) {
            broken.add(QUANTITY_POSITIVE);
        }
        if (!pricesInRange(row)) {
            broken.add(PRICES_IN_RANGE);
        }
        if (row.getClientId() <= 0 || row.getSymbol() == null || row.getSymbol().isBlank()) {
            broken.add(CLIENT_AND_SYMBOL_PRESENT);
        }
        return broken;
    }

    /** Fails the run when a rule's share of the operations is over {@code maxShare}: the worst rule is named. */
    public static void check(Map<String, Long> brokenByRule, long operations, double maxShare) {
        brokenByRule.entrySet().stream()
                .filter(e -> operations > 0 && (double) e.getValue() / operations > maxShare)
                .max(Map.Entry.comparingByValue())
                .ifPresent(e -> {
                    throw new JobFailedException(String.format(java.util.Locale.ROOT,
                            "silver rule %s is broken by %.1f%% of operations (%d of %d), over the %.1f%% threshold"
                                    + " (--quality-max-share); nothing written, see the rule in docs/silver-and-gold.md",
                            e.getKey(), 100.0 * e.getValue() / operations, e.getValue(), operations, 100 * maxShare));
                });
    }

    private static boolean inOrder(Instant earlier, Instant later, Duration skew) {
        return earlier == null || later == null || !later.plus(skew).isBefore(earlier);
    }

    /** |fill - stop| / stop × 100 against slippage_pct, when all three are known. */
    private static boolean slippageMatches(BigDecimal fill, BigDecimal stop, BigDecimal slippage, BigDecimal tolerance) {
        if (fill == null || stop == null || slippage == null || stop.signum() <= 0) {
            return true;
        }
        BigDecimal computed = fill.subtract(stop).abs().multiply(BigDecimal.valueOf(100)).divide(stop, MathContext.DECIMAL64);
        return computed.subtract(slippage).abs().compareTo(tolerance) <= 0;
    }

    private static boolean pricesInRange(StopExecution row) {
        for (BigDecimal price : new BigDecimal[] {row.getTriggerPrice(), row.getStopPrice(), row.getEntryPrice(),
                row.getFillPrice(), row.getQuantity()}) {
            if (price != null && (price.signum() < 0 || price.abs().compareTo(PRICE_LIMIT) >= 0)) {
                return false;
            }
        }
        BigDecimal slippage = row.getSlippagePct();
        return slippage == null || (slippage.signum() >= 0 && slippage.compareTo(SLIPPAGE_LIMIT) < 0);
    }
}
