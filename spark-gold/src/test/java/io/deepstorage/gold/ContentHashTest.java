package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ContentHashTest {
    static ContentHash of(List<List<Object>> rows) {
        ContentHash hash = new ContentHash();
        rows.forEach(r -> hash.add((String) r.get(0), r.subList(1, r.size())));
        return hash;
    }

    @Test
    void theHashOfASetOfRowsIsTheSameInAnyOrderAndAcrossAnySplitIntoPartitions() {
        List<Object> a = List.of("TRAIN", 1L, "x");
        List<Object> b = List.of("TRAIN", 2L, "y");
        List<Object> c = List.of("TEST", 3L, "z");
        String inOrder = of(List.of(a, b, c)).hex();
        assertThat(of(List.of(c, a, b)).hex()).isEqualTo(inOrder);
        assertThat(of(List.of(b)).merge(of(List.of(c, a))).hex()).isEqualTo(inOrder);
        assertThat(new ContentHash().merge(of(List.of(a, b, c))).hex()).isEqualTo(inOrder);
    }

    @Test
    void aRowMoreOrLessOrARowTwiceChangesTheHash() {
        List<Object> a = List.of("TRAIN", 1L, "x");
        List<Object> b = List.of("TRAIN", 2L, "y");
        String ab = of(List.of(a, b)).hex();
        assertThat(of(List.of(a)).hex()).isNotEqualTo(ab);
        assertThat(of(List.of(a, b, b)).hex()).isNotEqualTo(ab);
        assertThat(of(List.of()).hex()).isNotEqualTo(ab).hasSize(64);
        assertThat(of(List.of(a, b)).rows()).isEqualTo(2);
    }

    @Test
    void aRowHashedAheadForEachSplitCountsAsTheSameRowAddedInTheSplitItGot() {
        List<Object> values = java.util.Arrays.asList(7L, "x", java.time.Instant.parse("2024-03-04T10:00:00.123456789Z"), null, List.of("a", "b"));
        byte[][] digests = ContentHash.rowDigests(values, "TRAIN", "TEST");
        assertThat(new ContentHash().addRow(digests[0]).hex()).isEqualTo(new ContentHash().add("TRAIN", values).hex());
        assertThat(new ContentHash().addRow(digests[1]).hex()).isEqualTo(new ContentHash().add("TEST", values).hex())
                .isNotEqualTo(new ContentHash().add("TRAIN", values).hex());
    }

    /**
     * The canonical line is a format: a build that wrote it differently would call every committed version changed.
     * The hash of these rows is the one 338234a's build gave (its lines were those of the algorithm's first build:
     * the bench's 10M content hashes stayed the same through every change since).
     */
    @Test
    void theCanonicalLineOfEachKindOfValueIsTheSameAsThePreviousBuildsForTheSameRows() {
        List<Object> values = java.util.Arrays.asList(7L, -12, "x", java.time.Instant.parse("2024-03-04T10:00:00.123456789Z"), null,
                0.1, true, List.of(1L, 22L, 333L), List.of(), "\u00e9");
        assertThat(new ContentHash().add("TRAIN", values).add("TEST", List.of(8L)).hex())
                .isEqualTo("dd89f8532363f065b9adc08343d400272f6639626c2fa969fb07c6636fc2a978");
    }
}
