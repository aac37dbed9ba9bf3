package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.deepstorage.schemas.SilverStatus;
import org.junit.jupiter.api.Test;

/**
 * The history-wide features (sorted once, running sums) give every example what the per-example rules give on the
 * example's own window: same bits for volatility, price change, failures and failure rate, the same mean slippage
 * up to rounding. Histories are random but seeded: busy and quiet stretches, equal timestamps, unknown prices,
 * and outcomes a few seconds before their own trigger (the clocks' skew silver tolerates), where leaving the
 * operation itself out matters.
 */
class WindowSumsMatchTheWindowsTest {
    private static final Instant T0 = Instant.parse("2024-03-04T00:00:00Z");
    /** About three quarters of each history: the rest (and outcomes after it) must not count. */
    private static final Instant AS_OF = T0.plus(Duration.ofDays(10));

    private static List<SilverOperation> history(long seed, int size) {
        Random random = new Random(seed);
        List<SilverOperation> ops = new ArrayList<>();
        long seconds = 0;
        String[] statuses = {SilverStatus.EXECUTED, SilverStatus.EXECUTED, SilverStatus.FAILED, SilverStatus.BLOCKED, SilverStatus.PENDING};
        for (int id = 1; id <= size; id++) {
            seconds += random.nextInt(10) == 0 ? random.nextInt(7200) : random.nextInt(40); // equal times too
            Instant triggered = T0.plusSeconds(seconds);
            String status = statuses[random.nextInt(statuses.length)];
            // Mostly after the trigger; sometimes up to 5 s before it (skew), sometimes after as-of.
            Instant outcome = triggered.plusSeconds(random.nextInt(12) == 0 ? -random.nextInt(6) : random.nextInt(600));
            BigDecimal price = random.nextInt(15) == 0 ? null : BigDecimal.valueOf(60_000 + random.nextInt(500), 2);
            BigDecimal slippage = BigDecimal.valueOf(random.nextInt(80_000), 4);
            ops.add(new SilverOperation(id, 1, "BTCUSDC", status, random.nextInt(20) == 0 ? null : triggered,
                    SilverStatus.EXECUTED.equals(status) ? outcome : null, SilverStatus.FAILED.equals(status) ? outcome : null,
                    price, null, null, SilverStatus.EXECUTED.equals(status) ? slippage : null, null));
        }
        return ops;
    }

    /** The events of {@code sorted} in [at - window, at). */
    private static <E> List<E> window(List<E> sorted, java.util.function.Function<E, Instant> timeOf, Instant at, Duration window) {
        return sorted.stream().filter(e -> !timeOf.apply(e).isBefore(at.minus(window)) && timeOf.apply(e).isBefore(at)).toList();
    }

    @Test
    void everyExampleGetsWhatItsOwnWindowGives() {
        for (long seed = 1; seed <= 6; seed++) {
            List<SilverOperation> ops = history(seed, 3_000);
            List<WindowFeatures.PricePoint> prices = ops.stream()
                    .filter(op -> op.triggeredAt() != null && op.triggerPrice() != null && op.triggeredAt().isBefore(AS_OF))
                    .map(op -> new WindowFeatures.PricePoint(op.operationId(), op.triggeredAt(), op.triggerPrice())).toList();
            List<WindowFeatures.Outcome> outcomes = WindowFeatures.outcomesBefore(ops, AS_OF);
            Map<Long, Double> volatility = FeaturesByOperation.volatility15m(ops, AS_OF);
            Map<Long, Double> change = FeaturesByOperation.triggerPriceChange15m(ops, AS_OF);
            Map<Long, Integer> failures = FeaturesByOperation.consecutiveFailures1h(ops, AS_OF);
            Map<Long, Double> slippage = FeaturesByOperation.clientSlippageMean24h(ops, AS_OF);
            Map<Long, Double> failureRate = FeaturesByOperation.clientFailureRate24h(ops, AS_OF);
            int examples = 0;
            for (SilverOperation op : ops) {
                if (!op.isExampleAsOf(AS_OF)) {
                    assertThat(volatility).doesNotContainKey(op.operationId());
                    continue;
                }
                examples++;
                long id = op.operationId();
                Instant t = op.triggeredAt();
                List<WindowFeatures.PricePoint> lastQuarter = window(prices, WindowFeatures.PricePoint::at, t, WindowFeatures.VOLATILITY_WINDOW);
                List<WindowFeatures.Outcome> lastHour = window(outcomes, WindowFeatures.Outcome::at, t, WindowFeatures.FAILURE_WINDOW);
                List<WindowFeatures.Outcome> lastDay = window(outcomes, WindowFeatures.Outcome::at, t, SlippageFeatures.CLIENT_WINDOW).stream()
                        .filter(o -> o.operationId() != id).toList();
                List<SilverOperation> fills = ops.stream().filter(o -> o.operationId() != id && SilverStatus.EXECUTED.equals(o.status())
                        && o.executedAt() != null && o.executedAt().isBefore(AS_OF) && !o.executedAt().isBefore(t.minus(SlippageFeatures.CLIENT_WINDOW))
                        && o.executedAt().isBefore(t)).toList();

                assertThat(volatility.get(id)).as("volatility of %d", id).isEqualTo(WindowFeatures.volatility15m(id, t, lastQuarter));
                assertThat(change.get(id)).as("price change of %d", id).isEqualTo(SlippageFeatures.triggerPriceChangePct(id, op.triggerPrice(), lastQuarter));
                assertThat(failures.get(id)).as("failures before %d", id).isEqualTo(WindowFeatures.consecutiveFailures1h(id, t, lastHour));
                assertThat(failureRate.get(id)).as("failure rate before %d", id)
                        .isEqualTo(lastDay.isEmpty() ? null : (double) lastDay.stream().filter(WindowFeatures.Outcome::failed).count() / lastDay.size());
                if (fills.isEmpty()) {
                    assertThat(slippage.get(id)).as("mean slippage before %d", id).isNull();
                } else {
                    assertThat(slippage.get(id)).as("mean slippage before %d", id)
                            .isCloseTo(fills.stream().mapToDouble(o -> o.slippagePct().doubleValue()).average().orElseThrow(), within(1e-12));
                }
            }
            assertThat(examples).as("seed %d has examples", seed).isGreaterThan(500);
        }
    }
}
