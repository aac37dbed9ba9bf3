package io.deepstorage.gold;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;

import io.deepstorage.schemas.SilverStatus;

/**
 * One group's operations (every silver operation of one symbol, or of one client), column by column, times in
 * epoch microseconds (Spark's precision): what {@link WindowFeatures} and {@link SlippageFeatures} read. Arrays,
 * not a list of {@link SilverOperation}s: a group is a symbol's whole history (hundreds of thousands of
 * operations), which the features sort once and then binary-search and sum per example, and a record per
 * operation (an Instant per time, a BigDecimal per price) made the lookups chase pointers and the heap churn.
 */
final class GroupHistory {
    /** A time that is not there (null). */
    static final long NO_TIME = Long.MIN_VALUE;

    final int size;
    final long[] operationId;
    final long[] triggeredAt;
    final long[] executedAt;
    /** {@link SilverOperation#outcomeAt()}: executed_at of EXECUTED, failed_at of FAILED, else none. */
    final long[] outcomeAt;
    final boolean[] failed;
    final boolean[] executed;
    /** NaN when unknown. */
    final double[] triggerPrice;
    final BigDecimal[] slippagePct;

    private GroupHistory(Builder b) {
        size = b.size;
        operationId = Arrays.copyOf(b.operationId, size);
        triggeredAt = Arrays.copyOf(b.triggeredAt, size);
        executedAt = Arrays.copyOf(b.executedAt, size);
        outcomeAt = Arrays.copyOf(b.outcomeAt, size);
        failed = Arrays.copyOf(b.failed, size);
        executed = Arrays.copyOf(b.executed, size);
        triggerPrice = Arrays.copyOf(b.triggerPrice, size);
        slippagePct = Arrays.copyOf(b.slippagePct, size);
    }

    /** The columns the features read of {@code operations}; the rest (stop and entry prices, event ids) is not kept. */
    static GroupHistory of(Collection<SilverOperation> operations) {
        Builder b = new Builder();
        for (SilverOperation op : operations) {
            b.add(op.operationId(), op.status(), micros(op.triggeredAt()), micros(op.executedAt()), micros(op.failedAt()),
                    op.triggerPrice() == null ? Double.NaN : Decimals.toDouble(op.triggerPrice()), op.slippagePct());
        }
        return b.build();
    }

    static long micros(Instant at) {
        return at == null ? NO_TIME : Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }

    /** The instant of {@link #micros}'s epoch microseconds. */
    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** {@link SilverOperation#isExampleAsOf}: triggered, and finished (EXECUTED or FAILED) before {@code asOf}. */
    boolean isExampleAsOf(int i, long asOf) {
        return triggeredAt[i] != NO_TIME && outcomeAt[i] != NO_TIME && outcomeAt[i] < asOf;
    }

    /**
     * The indices {@code i} with {@code keep(i)}, in ({@code time[i]}, operation id) order: a stable merge sort on
     * the index array, no boxing.
     */
    int[] sortedBy(long[] time, IndexFilter keep) {
        int[] picked = new int[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (keep.test(i)) {
                picked[n++] = i;
            }
        }
        int[] a = Arrays.copyOf(picked, n);
        int[] tmp = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    tmp[k++] = before(a[j], a[i], time) ? a[j++] : a[i++];
                }
                while (i < mid) {
                    tmp[k++] = a[i++];
                }
                while (j < hi) {
                    tmp[k++] = a[j++];
                }
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
        return a;
    }

    private boolean before(int x, int y, long[] time) {
        return time[x] < time[y] || (time[x] == time[y] && operationId[x] < operationId[y]);
    }

    /** Which operations of a group an ordering keeps. */
    @FunctionalInterface
    interface IndexFilter {
        boolean test(int i);
    }

    /** Grows the columns as a group's rows arrive. */
    static final class Builder {
        private int size;
        private long[] operationId = new long[16];
        private long[] triggeredAt = new long[16];
        private long[] executedAt = new long[16];
        private long[] outcomeAt = new long[16];
        private boolean[] failed = new boolean[16];
        private boolean[] executed = new boolean[16];
        private double[] triggerPrice = new double[16];
        private BigDecimal[] slippagePct = new BigDecimal[16];

        /** One operation; times in epoch micros or {@link #NO_TIME}, the trigger price NaN when unknown. */
        Builder add(long id, String status, long triggered, long executedTime, long failedTime, double price, BigDecimal slippage) {
            if (size == operationId.length) {
                int n = size * 2;
                operationId = Arrays.copyOf(operationId, n);
                triggeredAt = Arrays.copyOf(triggeredAt, n);
                executedAt = Arrays.copyOf(executedAt, n);
                outcomeAt = Arrays.copyOf(outcomeAt, n);
                failed = Arrays.copyOf(failed, n);
                executed = Arrays.copyOf(executed, n);
                triggerPrice = Arrays.copyOf(triggerPrice, n);
                slippagePct = Arrays.copyOf(slippagePct, n);
            }
            operationId[size] = id;
            triggeredAt[size] = triggered;
            executedAt[size] = executedTime;
            outcomeAt[size] = switch (SilverOperation.outcomeTime(status)) {
                case EXECUTED_AT -> executedTime;
                case FAILED_AT -> failedTime;
                case NONE -> NO_TIME;
            };
            failed[size] = SilverStatus.FAILED.equals(status);
            executed[size] = SilverStatus.EXECUTED.equals(status);
            triggerPrice[size] = price;
            slippagePct[size] = slippage;
            size++;
            return this;
        }

        GroupHistory build() {
            return new GroupHistory(this);
        }
    }
}
