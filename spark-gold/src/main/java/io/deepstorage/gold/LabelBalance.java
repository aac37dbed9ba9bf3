package io.deepstorage.gold;

import io.deepstorage.spark.JobFailedException;

/** The execution_success share of a split must stay within [0.1, 0.9], or the build fails. */
public final class LabelBalance {
    public static final double MIN_RATIO = 0.1;
    public static final double MAX_RATIO = 0.9;

    private LabelBalance() {}

    public static double ratio(long positives, long total) {
        return total == 0 ? Double.NaN : (double) positives / total;
    }

    /** Throws a one-line {@link JobFailedException} naming the split, its ratio and the bounds. */
    public static void check(String split, long positives, long total) {
        double ratio = ratio(positives, total);
        if (total == 0) {
            throw new JobFailedException("label ratio of " + split + " is undefined (no rows); bounds are "
                    + MIN_RATIO + "-" + MAX_RATIO);
        }
        if (ratio < MIN_RATIO || ratio > MAX_RATIO) {
            throw new JobFailedException(String.format(java.util.Locale.ROOT,
                    "label ratio (execution_success) of %s is %.3f (%d of %d), outside the bounds %.1f-%.1f",
                    split, ratio, positives, total, MIN_RATIO, MAX_RATIO));
        }
    }
}
