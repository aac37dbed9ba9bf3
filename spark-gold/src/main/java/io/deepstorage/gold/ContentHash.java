package io.deepstorage.gold;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * sha-256 over the rows in a canonical order and encoding, so the same rows always give the same hash whatever
 * the partitioning or file layout. Each row is one line: the split, then every value in schema order.
 */
public final class ContentHash {
    private final MessageDigest digest;

    public ContentHash() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Rows must be added in the canonical order (split, then operation_id). */
    public ContentHash add(String split, List<?> values) {
        digest.update(canonicalLine(split, values).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    static String canonicalLine(String split, List<?> values) {
        StringBuilder line = new StringBuilder(split);
        for (Object value : values) {
            line.append('\u001f').append(canonical(value));
        }
        return line.append('\n').toString();
    }

    private static String canonical(Object value) {
        if (value == null) {
            return "\u2400";
        }
        if (value instanceof Instant instant) {
            return Long.toString(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
        }
        if (value instanceof Double d) {
            return Long.toHexString(Double.doubleToLongBits(d));
        }
        if (value instanceof List<?> list) {
            StringBuilder items = new StringBuilder("[");
            for (Object item : list) {
                items.append(canonical(item)).append('\u001e');
            }
            return items.append(']').toString();
        }
        if (value instanceof scala.collection.Seq<?> seq) {
            return canonical(scala.collection.JavaConverters.seqAsJavaList(seq));
        }
        return value.toString();
    }
}
