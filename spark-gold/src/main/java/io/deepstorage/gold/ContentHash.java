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
    /** One digest per task thread: looking one up per row costs more than hashing the row. */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(ContentHash::sha256);
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int LIMBS = 4;

    /**
     * The sum mod 2^256 as four 64-bit limbs, least significant first: adding a row is four additions with carry,
     * not three BigIntegers (a BigInteger sum was a fifth of the split step's time at 10M).
     */
    private final long[] sum = new long[LIMBS];
    private long rows;

    public ContentHash add(String split, List<?> values) {
        return addRow(rowDigests(values, split)[0]);
    }

    /** A row whose sha-256 (of its canonical line) is already known: one of {@link #rowDigests}. */
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

    /**
     * The sha-256 of the canonical line of {@code values} in each of {@code splits}: what {@link #add} adds for the
     * row in that split. A row's split is known only after the cutoff, which needs every row; so the rows are
     * hashed for each split they may land in while they are built, and the hash keeps the one of the split they got.
     */
    public static byte[][] rowDigests(List<?> values, String... splits) {
        byte[] rest = valuesLine(values).getBytes(StandardCharsets.UTF_8);
        MessageDigest digest = DIGEST.get();
        byte[][] out = new byte[splits.length][];
        for (int i = 0; i < splits.length; i++) {
            digest.update(splits[i].getBytes(StandardCharsets.UTF_8));
            out[i] = digest.digest(rest);
        }
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

    /** A canonical line after its split: each value behind a unit separator, then a newline. */
    private static String valuesLine(List<?> values) {
        StringBuilder line = new StringBuilder(256);
        for (Object value : values) {
            appendCanonical(line.append('\u001f'), value);
        }
        return line.append('\n').toString();
    }

    /** Appended in place (no string per value): a row's list of event ids is most of its line. */
    private static void appendCanonical(StringBuilder line, Object value) {
        if (value == null) {
            line.append('\u2400');
        } else if (value instanceof Long l) {
            line.append(l.longValue());
        } else if (value instanceof Integer i) {
            line.append(i.intValue());
        } else if (value instanceof Instant instant) {
            line.append(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
        } else if (value instanceof Double d) {
            line.append(Long.toHexString(Double.doubleToLongBits(d)));
        } else if (value instanceof List<?> list) {
            line.append('[');
            for (Object item : list) {
                appendCanonical(line, item);
                line.append('\u001e');
            }
            line.append(']');
        } else if (value instanceof scala.collection.Seq<?> seq) {
            appendCanonical(line, scala.collection.JavaConverters.seqAsJavaList(seq));
        } else {
            line.append(value);
        }
    }
}
