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
        byte[][] digests = new ContentHash.RowHasher().rowDigests(values, "TRAIN", "TEST");
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

    /**
     * Edge values of each kind, beside the line above: the line is written as bytes, so each kind's text (signs, the
     * longest long, hex of doubles with leading zero nibbles, decimals, text beyond ASCII and beyond the BMP, lists
     * inside lists and lists from Spark) must be what the String-built line of 338234a's format gave. The hash is the
     * one that build's code (e1e2218) gave for these rows.
     */
    @Test
    void theCanonicalLineOfEdgeValuesIsTheSameAsTheStringBuiltLines() {
        List<Object> values = java.util.Arrays.asList(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, Integer.MIN_VALUE, 0,
                0.0, -0.0, Double.NaN, Double.MIN_VALUE, 1e300, -2.5, Double.POSITIVE_INFINITY,
                java.time.Instant.parse("1969-12-31T23:59:59.999999Z"), java.time.Instant.EPOCH, false,
                new java.math.BigDecimal("-0.00000120"), new java.math.BigDecimal("1E+3"), "", "a\u001fb\n", "\u00e9\u4e2d\ud83d\ude00",
                "\ud800", List.of(List.of("a"), java.util.Arrays.asList(null, 5L)), null,
                scala.collection.JavaConverters.asScalaBuffer(List.of("id-1", "id-2", "\u00fc")).toSeq(),
                new org.apache.avro.util.Utf8("utf8 \u00e0"));
        assertThat(new ContentHash().add("TRAIN", values).add("TEST", values).add("PURGED", List.of()).hex())
                .isEqualTo("bbf9bda3ed922696a144b1107bc35c1736e19452cb0dc9ca1966808e91721050");
    }

    /** A list hashes the same in every collection it reaches the hash in: Spark's (Row.getList), Scala's or Java's. */
    @Test
    void aListHashesTheSameWhicheverCollectionSparkScalaOrJavaHoldsItIn() {
        String plain = new ContentHash().add("TRAIN", List.of(List.of("a", "b", "\u00e9"), 1L)).hex();
        scala.collection.mutable.WrappedArray<String> array =
                scala.collection.mutable.WrappedArray.<String>make(new String[] {"a", "b", "\u00e9"});
        scala.collection.mutable.Buffer<String> buffer = scala.collection.JavaConverters.asScalaBuffer(List.of("a", "b", "\u00e9"));
        List<Object> holders = List.of(scala.collection.JavaConverters.seqAsJavaList(array), array, buffer.toVector(),
                buffer.toList(), buffer.toSeq(), new java.util.LinkedList<>(List.of("a", "b", "\u00e9")));
        assertThat(holders.get(0)).isInstanceOf(scala.collection.convert.Wrappers.SeqWrapper.class);
        for (Object list : holders) {
            assertThat(new ContentHash().add("TRAIN", List.of(list, 1L)).hex()).as(list.getClass().getName()).isEqualTo(plain);
        }
    }

    /** The sum is kept in 64-bit limbs: it must be the sum mod 2^256 a BigInteger gives, carries and wrap-around included. */
    @Test
    void theRowSumCarriesAcrossLimbsAndWrapsAt2To256AsABigIntegerSumDoes() throws Exception {
        java.util.Random random = new java.util.Random(7);
        List<byte[]> digests = new java.util.ArrayList<>();
        byte[] allOnes = new byte[32];
        java.util.Arrays.fill(allOnes, (byte) 0xff);
        byte[] lowLimbOnes = new byte[32];
        java.util.Arrays.fill(lowLimbOnes, 24, 32, (byte) 0xff);
        byte[] secondLimbOnes = new byte[32];
        java.util.Arrays.fill(secondLimbOnes, 16, 24, (byte) 0xff);
        byte[] one = new byte[32];
        one[31] = 1;
        // Into the first hash (even positions): the second limb all ones, the lowest all ones, then 1: the carry out of
        // the lowest limb meets an all-ones limb and must carry on through it.
        for (byte[] d : List.of(secondLimbOnes, lowLimbOnes, one)) {
            digests.add(d);
            digests.add(new byte[32]);
        }
        for (int i = 0; i < 3; i++) {
            digests.add(allOnes); // each one wraps the sum around 2^256
            digests.add(lowLimbOnes); // a carry out of the lowest limb
        }
        for (int i = 0; i < 200; i++) {
            byte[] d = new byte[32];
            random.nextBytes(d);
            digests.add(d);
        }
        ContentHash first = new ContentHash();
        ContentHash second = new ContentHash();
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        for (int i = 0; i < digests.size(); i++) {
            (i % 2 == 0 ? first : second).addRow(digests.get(i));
            sum = sum.add(new java.math.BigInteger(1, digests.get(i))).mod(java.math.BigInteger.ONE.shiftLeft(256));
        }
        String state = digests.size() + ":" + sum.toString(16);
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(state.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(first.merge(second).hex()).isEqualTo(expected);
    }
}
