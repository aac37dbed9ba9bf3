package io.deepstorage.gold;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * A fingerprint of a set of rows that does not depend on their order, so the executors hash their own rows in
 * parallel and no sort is needed: the sha-256 of the row count and of the sum, modulo 2^256, of every row's own
 * sha-256. A row is one canonical line: the split, then every value in schema order. The same rows always give the
 * same hash whatever the partitioning or file layout.
 */
public final class ContentHash implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** What the manifest records as content_hash_algorithm: a manifest with another one was hashed by other code. */
    public static final String ALGORITHM = "sha-256 of the row count and the sum mod 2^256 of each row's sha-256"
            + " (its split, then its values in schema order); independent of row order";
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int LIMBS = 4;

    /**
     * The sum mod 2^256 as four 64-bit limbs, least significant first: adding a row is four additions with carry,
     * not three BigIntegers (a BigInteger sum was a fifth of the split step's time at 10M).
     */
    private final long[] sum = new long[LIMBS];
    private long rows;

    public ContentHash add(String split, List<?> values) {
        return addRow(new RowHasher().rowDigests(values, split)[0]);
    }

    /** A row whose sha-256 (of its canonical line) is already known: one of {@link RowHasher#rowDigests}. */
    public ContentHash addRow(byte[] rowDigest) {
        long carry = 0;
        for (int i = 0; i < LIMBS; i++) {
            // rowDigest is big-endian: its last 8 bytes are the least significant limb.
            carry = addWithCarry(i, (long) BIG_ENDIAN_LONG.get(rowDigest, (LIMBS - 1 - i) * Long.BYTES), carry);
        }
        rows++;
        return this;
    }

    /** Adds {@code value} and {@code carry} (0 or 1) to limb {@code i}; the carry out (0 or 1). */
    private long addWithCarry(int i, long value, long carry) {
        long partial = sum[i] + value;
        long total = partial + carry;
        long out = (Long.compareUnsigned(partial, value) < 0 ? 1 : 0) | (Long.compareUnsigned(total, partial) < 0 ? 1 : 0);
        sum[i] = total;
        return out;
    }

    /** This hash and {@code other}'s rows together (what one partition hashed, added to another's). */
    public ContentHash merge(ContentHash other) {
        long carry = 0;
        for (int i = 0; i < LIMBS; i++) {
            carry = addWithCarry(i, other.sum[i], carry);
        }
        rows += other.rows;
        return this;
    }

    public long rows() {
        return rows;
    }

    public String hex() {
        byte[] bigEndian = new byte[LIMBS * Long.BYTES];
        for (int i = 0; i < LIMBS; i++) {
            BIG_ENDIAN_LONG.set(bigEndian, (LIMBS - 1 - i) * Long.BYTES, sum[i]);
        }
        String state = rows + ":" + new BigInteger(1, bigEndian).toString(16);
        return HexFormat.of().formatHex(sha256().digest(state.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * Hashes rows one after another, reusing one digest and one line buffer; a task makes one (not thread-safe). The
     * line is written as UTF-8 bytes as it is built: building it as a String, encoding it, and looking a digest up per
     * row in a thread-local were a tenth of gold's time at 10M.
     */
    public static final class RowHasher {
        private static final byte VALUE_SEPARATOR = 0x1f;
        private static final byte ITEM_SEPARATOR = 0x1e;
        /** U+2400 (symbol for null) in UTF-8. */
        private static final byte[] NULL = "\u2400".getBytes(StandardCharsets.UTF_8);
        private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

        private final MessageDigest digest = sha256();
        private byte[] line = new byte[512];
        private int length;

        /**
         * The sha-256 of the canonical line of {@code values} in each of {@code splits}: what {@link ContentHash#add} adds for the
         * row in that split. A row's split is known only after the cutoff, which needs every row; so the rows are
         * hashed for each split they may land in while they are built, and the hash keeps the one of the split they got.
         */
        public byte[][] rowDigests(List<?> values, String... splits) {
            length = 0;
            for (Object value : values) {
                put(VALUE_SEPARATOR);
                putCanonical(value);
            }
            put((byte) '\n');
            byte[][] out = new byte[splits.length][];
            for (int i = 0; i < splits.length; i++) {
                digest.update(splits[i].getBytes(StandardCharsets.UTF_8));
                digest.update(line, 0, length);
                out[i] = digest.digest();
            }
            return out;
        }

        /**
         * A value's canonical text in UTF-8 (the format ContentHashTest pins): a long or int in decimal, an instant
         * as its epoch micros, a double as the hex of its bits, a list as [item␞item␞], null as ␀, anything else as
         * its toString.
         */
        private void putCanonical(Object value) {
            if (value == null) {
                put(NULL);
            } else if (value instanceof Long l) {
                putDecimal(l);
            } else if (value instanceof Integer i) {
                putDecimal(i);
            } else if (value instanceof Instant instant) {
                putDecimal(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
            } else if (value instanceof Double d) {
                putHex(Double.doubleToLongBits(d));
            } else if (value instanceof scala.collection.convert.Wrappers.SeqWrapper<?> fromSpark) {
                putCanonical(fromSpark.underlying()); // what Row.getList gives: its Seq is indexed, no iterator needed
            } else if (value instanceof scala.collection.IndexedSeq<?> indexed) {
                put((byte) '[');
                for (int i = 0, n = indexed.length(); i < n; i++) {
                    putCanonical(indexed.apply(i));
                    put(ITEM_SEPARATOR);
                }
                put((byte) ']');
            } else if (value instanceof scala.collection.Seq<?> seq) {
                // Not a view (that would be a SeqWrapper again): a copy, for the Seqs Spark does not give (a Scala List).
                putCanonical(new java.util.ArrayList<>(scala.collection.JavaConverters.seqAsJavaList(seq)));
            } else if (value instanceof List<?> list) {
                put((byte) '[');
                for (Object item : list) {
                    putCanonical(item);
                    put(ITEM_SEPARATOR);
                }
                put((byte) ']');
            } else {
                putText(value.toString());
            }
        }

        private void putDecimal(long value) {
            if (value == Long.MIN_VALUE) {
                putText(Long.toString(value)); // its negation does not fit in a long
                return;
            }
            if (value < 0) {
                put((byte) '-');
                value = -value;
            }
            int digits = 1;
            for (long rest = value / 10; rest != 0; rest /= 10) {
                digits++;
            }
            ensure(digits);
            for (int i = length + digits - 1; i >= length; i--) {
                line[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += digits;
        }

        /** As {@link Long#toHexString}: unsigned, lower case, no leading zeros. */
        private void putHex(long bits) {
            int digits = Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(bits) + 3) / 4);
            ensure(digits);
            for (int i = digits - 1; i >= 0; i--) {
                line[length++] = HEX_DIGITS[(int) (bits >>> (4 * i)) & 0xf];
            }
        }

        /** As String.getBytes encodes it (an unpaired surrogate as '?'); for ASCII text that is one array copy. */
        private void putText(String text) {
            put(text.getBytes(StandardCharsets.UTF_8));
        }

        private void put(byte b) {
            ensure(1);
            line[length++] = b;
        }

        private void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, line, length, bytes.length);
            length += bytes.length;
        }

        private void ensure(int more) {
            if (length + more > line.length) {
                line = java.util.Arrays.copyOf(line, Math.max(2 * line.length, length + more));
            }
        }
    }
}
