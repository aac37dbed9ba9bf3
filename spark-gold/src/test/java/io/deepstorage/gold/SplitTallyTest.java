package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SplitTallyTest {
    private static SplitTally tally(TimeSplit.Split split, boolean positive, List<?> values) {
        byte[][] digests = new ContentHash.RowHasher().rowDigests(values, TimeSplit.Split.TRAIN.name(), TimeSplit.Split.TEST.name());
        return new SplitTally().add(split, positive, digests[0], digests[1]);
    }

    @Test
    void aTallyCountsRowsAndPositivesPerSplitAndHashesTheKeptRowsInTheSplitTheyGot() {
        SplitTally tally = tally(TimeSplit.Split.TRAIN, true, List.of(1L))
                .merge(tally(TimeSplit.Split.TRAIN, false, List.of(2L)))
                .merge(tally(TimeSplit.Split.TEST, true, List.of(3L)))
                .merge(tally(TimeSplit.Split.PURGED, true, List.of(4L)));

        assertThat(tally.counts()).isEqualTo(new GoldManifest.SplitCounts(2, 1, 1, 1, 1));
        String keptRows = new ContentHash().add("TRAIN", List.of(1L)).add("TRAIN", List.of(2L)).add("TEST", List.of(3L)).hex();
        assertThat(tally.contentHash()).as("the purged row is not written, so not hashed").isEqualTo(keptRows);
        assertThat(tally(TimeSplit.Split.TEST, true, List.of(1L)).contentHash())
                .as("a row's hash depends on its split").isNotEqualTo(tally(TimeSplit.Split.TRAIN, true, List.of(1L)).contentHash());
    }
}
