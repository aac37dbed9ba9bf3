package io.deepstorage.bronze;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;

/**
 * Pure mapping of one outbox change to what bronze keeps: a {@link BronzeEvent}, a {@link DeadLetter} with the
 * reason, or a counted delete. Unknown event types, payload keys and columns pass through untouched (columns this
 * schema does not name yet travel in {@code extra_columns}).
 */
public final class OutboxChangeToBronze {
    /** Earliest and latest occurred_at a real stop event can have; anything else is a broken row. */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    /** The outcome of mapping one change: exactly one of the three is set. */
    public record Outcome(BronzeEvent event, DeadLetter deadLetter, OutboxChange deleted) {
        static Outcome of(BronzeEvent e) { return new Outcome(e, null, null); }
        static Outcome dead(DeadLetter d) { return new Outcome(null, d, null); }
        static Outcome delete(OutboxChange c) { return new Outcome(null, null, c); }
    }

    private OutboxChangeToBronze() {}

    public static Outcome map(OutboxChange c, Instant ingestedAt, String runId) {
        if (c.problem != null) {
            return dead(c, c.problem, ingestedAt, runId);
        }
        if (OutboxChange.DELETE.equals(c.kind)) {
            return Outcome.delete(c);
        }
        Instant occurred = c.occurredAt == null ? null : parseInstant(c.occurredAt);
        String reason = validate(c, occurred);
        if (reason != null) {
            return dead(c, reason, ingestedAt, runId);
        }
        try {
            return Outcome.of(BronzeEvent.newBuilder()
                    .setEventId(c.eventId)
                    .setEventSeq(c.eventSeq)
                    .setOccurredAt(occurred)
                    .setOperationId(c.operationId)
                    .setClientId(c.clientId)
                    .setSymbol(c.symbol)
                    .setEventType(c.eventType)
                    .setTriggerPrice(scaled(c.triggerPrice, 20, 8))
                    .setStopPrice(scaled(c.stopPrice, 20, 8))
                    .setQuantity(scaled(c.quantity, 20, 8))
                    .setSide(c.side)
                    .setExecutionToken(c.executionToken)
                    .setPayloadJson(c.payloadJson)
                    .setRequestPayloadHash(c.requestPayloadHash)
                    .setExchangeOrderId(c.exchangeOrderId)
                    .setFillPrice(scaled(c.fillPrice, 20, 8))
                    .setSlippagePct(scaled(c.slippagePct, 10, 4))
                    .setSource(c.source)
                    .setErrorMessage(c.errorMessage)
                    .setRetryCount(c.retryCount)
                    .setChangeKind(c.kind)
                    .setSourceCommitLsn(c.commitOrderLsn)
                    .setSourceLsn(c.lsn)
                    .setSourceTxId(c.txId)
                    .setSourceCommitTs(c.sourceTimeMicros == null ? null : micros(c.sourceTimeMicros))
                    .setIngestedAt(ingestedAt)
                    .setIngestRunId(runId)
                    .setExtraColumns(c.extraColumnsJson)
                    .build());
        } catch (RuntimeException e) {
            return dead(c, "cannot build the bronze record: " + e.getMessage(), ingestedAt, runId);
        }
    }

    /** The first rule a change breaks, or null when it makes a valid bronze record. */
    static String validate(OutboxChange c) {
        return validate(c, c.occurredAt == null ? null : parseInstant(c.occurredAt));
    }

    /** {@link #validate(OutboxChange)} with occurred_at already parsed ({@code occurred}: null when it is not a timestamp). */
    private static String validate(OutboxChange c, Instant occurred) {
        if (!OutboxChange.SNAPSHOT.equals(c.kind) && !OutboxChange.INSERT.equals(c.kind) && !OutboxChange.UPDATE.equals(c.kind)
                && !OutboxChange.REPLAY.equals(c.kind)) {
            return "unknown change kind " + c.kind;
        }
        if (c.eventId == null) {
            return "event_id is null";
        }
        try {
            UUID.fromString(c.eventId);
        } catch (IllegalArgumentException e) {
            return "event_id is not a uuid: " + c.eventId;
        }
        if (c.occurredAt == null) {
            return "occurred_at is null";
        }
        if (occurred == null) {
            return "occurred_at is not a timestamp: " + c.occurredAt;
        }
        if (occurred.isBefore(EARLIEST) || !occurred.isBefore(LATEST)) {
            return "occurred_at " + c.occurredAt + " is outside [" + EARLIEST + ", " + LATEST + ")";
        }
        if (c.operationId == null) return "operation_id is null";
        if (c.clientId == null) return "client_id is null";
        if (blank(c.symbol)) return "symbol is blank";
        if (blank(c.eventType)) return "event_type is blank";
        if (blank(c.source)) return "source is blank";
        if (c.retryCount == null) return "retry_count is null";
        if (c.payloadJson == null || !c.payloadJson.trim().startsWith("{")) {
            return "payload_json is not a JSON object";
        }
        String decimals = firstBadDecimal(c);
        return decimals;
    }

    /**
     * ISO-8601 UTC text ({@code 2026-11-20T08:00:00.123456Z}, what Debezium gives for timestamptz) as an Instant, or
     * null when it is not one. Exactly {@link Instant#parse}'s result; the common shape is read by hand, because
     * Instant.parse (a general formatter) was a twentieth of bronze's CPU.
     */
    static Instant parseInstant(String text) {
        Instant fast = parseUtcFast(text);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with fields in range, else null (then Instant.parse decides). */
    private static Instant parseUtcFast(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 7), day = digits(s, 8, 10);
        int hour = digits(s, 11, 13), minute = digits(s, 14, 16), second = digits(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21; // between '.' and 'Z'
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            int value = digits(s, 20, n - 1);
            if (value < 0) {
                return null;
            }
            nanos = value;
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal digits of s[from, to) as an int, or -1 when one is not a digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static String firstBadDecimal(OutboxChange c) {
        String[] names = {"trigger_price", "stop_price", "quantity", "fill_price"};
        BigDecimal[] values = {c.triggerPrice, c.stopPrice, c.quantity, c.fillPrice};
        for (int i = 0; i < names.length; i++) {
            if (!fits(values[i], 20, 8)) {
                return names[i] + " " + values[i].toPlainString() + " does not fit numeric(20,8)";
            }
        }
        if (!fits(c.slippagePct, 10, 4)) {
            return "slippage_pct " + c.slippagePct.toPlainString() + " does not fit numeric(10,4)";
        }
        return null;
    }

    static boolean fits(BigDecimal v, int precision, int scale) {
        if (v == null) {
            return true;
        }
        try {
            return v.setScale(scale, RoundingMode.UNNECESSARY).precision() <= precision;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static BigDecimal scaled(BigDecimal v, int precision, int scale) {
        return v == null ? null : v.setScale(scale, RoundingMode.UNNECESSARY);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private static Outcome dead(OutboxChange c, String reason, Instant ingestedAt, String runId) {
        return Outcome.dead(DeadLetter.newBuilder()
                .setReason(reason)
                .setRawRowJson(c.rawRow != null ? c.rawRow : rawRow(c))
                .setEventId(c.eventId)
                .setChangeKind(c.kind == null ? "UNKNOWN" : c.kind)
                .setSourceLsn(c.lsn)
                .setSourceTxId(c.txId)
                .setIngestedAt(ingestedAt)
                .setIngestRunId(runId)
                .build());
    }

    /** The row as JSON, every column as the source gave it, the extra columns included. */
    static String rawRow(OutboxChange c) {
        Object[][] cols = {
            {"event_id", c.eventId}, {"event_seq", c.eventSeq}, {"occurred_at", c.occurredAt},
            {"operation_id", c.operationId}, {"client_id", c.clientId}, {"symbol", c.symbol},
            {"event_type", c.eventType}, {"trigger_price", c.triggerPrice}, {"stop_price", c.stopPrice},
            {"quantity", c.quantity}, {"side", c.side}, {"execution_token", c.executionToken},
            {"payload_json", c.payloadJson}, {"request_payload_hash", c.requestPayloadHash},
            {"exchange_order_id", c.exchangeOrderId}, {"fill_price", c.fillPrice}, {"slippage_pct", c.slippagePct},
            {"source", c.source}, {"error_message", c.errorMessage}, {"retry_count", c.retryCount},
        };
        StringBuilder b = new StringBuilder("{");
        for (Object[] col : cols) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('"').append(col[0]).append("\": ");
            Object v = col[1];
            if (v == null) {
                b.append("null");
            } else if (v instanceof BigDecimal d) {
                b.append(d.toPlainString());
            } else if (v instanceof Number) {
                b.append(v);
            } else {
                b.append('"').append(Json.escape(v.toString())).append('"');
            }
        }
        if (c.extraColumnsJson != null) {
            try {
                Json.members(c.extraColumnsJson).forEach((name, value) ->
                        b.append(", \"").append(name).append("\": ").append(value));
            } catch (IllegalArgumentException e) {
                b.append(", \"extra_columns\": ").append(Json.quote(c.extraColumnsJson));
            }
        }
        return b.append('}').toString();
    }

    /**
     * Identity of an event's content (every outbox column, none of the source position): two deliveries of the
     * same row have the same fingerprint, an UPDATE that changed a column has another.
     *
     * <p>The extra columns are content too: an UPDATE that only sets a column bronze does not know yet (the app
     * back-fills a new column) changed the row, so it must pass {@link DropDuplicateEvents} as a new version;
     * leaving them out would drop it as a re-delivery and lose the only copy of the new value. They enter the
     * fingerprint as their non-null members, sorted by name: a column that exists but is NULL adds nothing, so
     * <ul>
     *   <li>a row delivered before a migration added a nullable column and re-delivered after it (the column now
     *       there, NULL) keeps its fingerprint and is still dropped as a duplicate;</li>
     *   <li>a row without extra columns has exactly the fingerprint it had before extra_columns existed, so dedup
     *       state restored from a savepoint of the earlier job still recognises re-deliveries;</li>
     *   <li>column order (a table rebuilt with the same columns) does not matter.</li>
     * </ul>
     */
    public static long contentFingerprint(BronzeEvent e) {
        // The text is the outbox columns joined with \u0001, as String.join(String.valueOf(...)) wrote it when the
        // fingerprint was first stored in dedup state; FingerprintText writes those same UTF-8 bytes without building
        // the strings (they were 90 % of the fingerprint's time). OutboxChangeToBronzeTest holds it to that text.
        FingerprintText t = FINGERPRINT_TEXT.get().clear();
        t.text(e.getEventId()).separator().number(e.getEventSeq()).separator().instant(e.getOccurredAt()).separator()
                .number(e.getOperationId()).separator().number(e.getClientId()).separator()
                .text(e.getSymbol()).separator().text(e.getEventType()).separator()
                .decimal(e.getTriggerPrice()).separator().decimal(e.getStopPrice()).separator()
                .decimal(e.getQuantity()).separator().text(e.getSide()).separator()
                .text(e.getExecutionToken()).separator().text(e.getPayloadJson()).separator()
                .text(e.getRequestPayloadHash()).separator().text(e.getExchangeOrderId()).separator()
                .decimal(e.getFillPrice()).separator().decimal(e.getSlippagePct()).separator().text(e.getSource()).separator()
                .text(e.getErrorMessage()).separator().number(e.getRetryCount()).text(extraContent(e.getExtraColumns()));
        MessageDigest sha256 = SHA_256.get();
        sha256.update(t.bytes, 0, t.length);
        byte[] d = sha256.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    /** One digest per thread, not a provider lookup per event. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final ThreadLocal<FingerprintText> FINGERPRINT_TEXT = ThreadLocal.withInitial(FingerprintText::new);

    /**
     * The UTF-8 bytes of the fingerprint's text, written in place: each value as String.valueOf, Instant.toString
     * and BigDecimal.toPlainString would write it, with the common cases done by hand and the rest left to them.
     */
    static final class FingerprintText {
        byte[] bytes = new byte[1024];
        int length;
        private final byte[] digits = new byte[20];

        FingerprintText clear() {
            length = 0;
            return this;
        }

        FingerprintText separator() {
            return put((byte) 1);
        }

        /** As String.valueOf: "null" for null. ASCII byte by byte; anything else as String.getBytes would encode it. */
        FingerprintText text(String s) {
            if (s == null) {
                return ascii("null");
            }
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    // A surrogate pair never starts before i, so encoding the rest on its own gives the same bytes.
                    byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                    return append(rest, 0, rest.length);
                }
                bytes[length++] = (byte) c;
            }
            return this;
        }

        FingerprintText number(Long value) {
            return value == null ? ascii("null") : number(value.longValue());
        }

        FingerprintText number(long value) {
            if (value == Long.MIN_VALUE) {
                return ascii(Long.toString(value));
            }
            if (value < 0) {
                put((byte) '-');
                value = -value;
            }
            int from = digitsOf(value);
            return append(digits, from, digits.length - from);
        }

        private static final long YEAR_1000 = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
        private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

        /** As Instant.toString (ISO_INSTANT: seconds always, the fraction in groups of three digits) for years 1000–9999. */
        FingerprintText instant(Instant t) {
            long seconds = t.getEpochSecond();
            if (seconds < YEAR_1000 || seconds >= YEAR_10000) {
                return ascii(t.toString());
            }
            java.time.LocalDate date = java.time.LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
            int secondOfDay = (int) Math.floorMod(seconds, 86_400);
            room(30);
            fixed(date.getYear(), 4).put((byte) '-').fixed(date.getMonthValue(), 2).put((byte) '-')
                    .fixed(date.getDayOfMonth(), 2).put((byte) 'T').fixed(secondOfDay / 3600, 2).put((byte) ':')
                    .fixed(secondOfDay / 60 % 60, 2).put((byte) ':').fixed(secondOfDay % 60, 2);
            int nano = t.getNano();
            if (nano > 0) {
                put((byte) '.');
                if (nano % 1_000_000 == 0) {
                    fixed(nano / 1_000_000, 3);
                } else if (nano % 1000 == 0) {
                    fixed(nano / 1000, 6);
                } else {
                    fixed(nano, 9);
                }
            }
            return put((byte) 'Z');
        }

        /** As BigDecimal.toPlainString (String.valueOf for null) for a positive scale and an unscaled value in a long. */
        FingerprintText decimal(BigDecimal d) {
            if (d == null) {
                return ascii("null");
            }
            int scale = d.scale();
            java.math.BigInteger unscaledBig = d.unscaledValue();
            if (scale <= 0 || unscaledBig.bitLength() >= Long.SIZE - 1) {
                return ascii(d.toPlainString());
            }
            long unscaled = unscaledBig.longValue();
            if (unscaled < 0) {
                put((byte) '-');
                unscaled = -unscaled;
            }
            int i = digitsOf(unscaled);
            int count = digits.length - i;
            int point = count - scale; // digits before the point
            if (point > 0) {
                return append(digits, i, point).put((byte) '.').append(digits, i + point, scale);
            }
            put((byte) '0').put((byte) '.');
            for (int z = point; z < 0; z++) {
                put((byte) '0');
            }
            return append(digits, i, count);
        }

        /** The decimal digits of {@code value} (not negative) at the end of {@link #digits}; returns where they start. */
        private int digitsOf(long value) {
            int i = digits.length;
            do {
                digits[--i] = (byte) ('0' + value % 10);
                value /= 10;
            } while (value != 0);
            return i;
        }

        private FingerprintText append(byte[] source, int from, int count) {
            room(count);
            System.arraycopy(source, from, bytes, length, count);
            length += count;
            return this;
        }

        private FingerprintText fixed(int value, int width) {
            for (int p = length + width - 1; p >= length; p--) {
                bytes[p] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += width;
            return this;
        }

        private FingerprintText ascii(String s) {
            return text(s);
        }

        private FingerprintText put(byte b) {
            room(1);
            bytes[length++] = b;
            return this;
        }

        private void room(int more) {
            if (length + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }

    /** The non-null extra columns as fingerprint text, sorted by name; empty when there are none. */
    static String extraContent(String extraColumnsJson) {
        if (extraColumnsJson == null) {
            return "";
        }
        Map<String, String> members;
        try {
            members = new TreeMap<>(Json.members(extraColumnsJson));
        } catch (IllegalArgumentException notAnObject) {
            return "\u0001extra\u0001" + extraColumnsJson; // never written by the deserializer; still content
        }
        StringBuilder b = new StringBuilder();
        members.forEach((name, value) -> {
            if (!"null".equals(value)) {
                b.append("\u0001extra\u0001").append(name).append('\u0002').append(value);
            }
        });
        return b.toString();
    }
}
