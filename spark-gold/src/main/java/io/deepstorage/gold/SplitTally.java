package io.deepstorage.gold;

import java.io.Serializable;

/**
 * What one pass over a set's split rows tells the manifest: the rows and the counted label's positives of each
 * split, and the {@link ContentHash} of the rows kept (train and test). Each task tallies its own rows; the driver
 * merges the tallies, so the counts and the hash cost one scan of the examples, not one each. Public: Spark
 * encodes only public classes.
 */
public final class SplitTally implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] rows = new long[TimeSplit.Split.values().length];
    private final long[] positives = new long[TimeSplit.Split.values().length];
    private final ContentHash hash = new ContentHash();

    /**
     * One row in {@code split}; {@code positive}: its counted label is true. Its digest for the split it got
     * (the train or test digest {@link GoldJob#examplesOfEverySet} took) goes into the hash; a purged row is not written, so not hashed.
     */
    SplitTally add(TimeSplit.Split split, boolean positive, byte[] trainDigest, byte[] testDigest) {
        rows[split.ordinal()]++;
        positives[split.ordinal()] += positive ? 1 : 0;
        switch (split) {
            case TRAIN -> hash.addRow(trainDigest);
            case TEST -> hash.addRow(testDigest);
            case PURGED -> { }
        }
        return this;
    }

    /** This tally and {@code other}'s rows together. */
    SplitTally merge(SplitTally other) {
        for (int i = 0; i < rows.length; i++) {
            rows[i] += other.rows[i];
            positives[i] += other.positives[i];
        }
        hash.merge(other.hash);
        return this;
    }

    GoldManifest.SplitCounts counts() {
        int train = TimeSplit.Split.TRAIN.ordinal();
        int test = TimeSplit.Split.TEST.ordinal();
        return new GoldManifest.SplitCounts(rows[train], positives[train], rows[test], positives[test],
                rows[TimeSplit.Split.PURGED.ordinal()]);
    }

    /** The content hash of the train and test rows. */
    String contentHash() {
        return hash.hex();
    }
}
