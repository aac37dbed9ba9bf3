package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.deepstorage.schemas.BronzeEvent;

class OutboxChangeToBronzeTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    static OutboxChange change(String kind) {
        OutboxChange c = new OutboxChange();
        c.kind = kind;
        c.eventId = "7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11";
        c.eventSeq = null;
        c.occurredAt = "2026-11-20T23:59:59.123456Z";
        c.operationId = 42L;
        c.clientId = 7L;
        c.symbol = "BTCUSDC";
        c.eventType = "STOP_TRIGGERED";
        c.triggerPrice = new BigDecimal("60000.1");
        c.stopPrice = new BigDecimal("59990.12345678");
        c.quantity = new BigDecimal("0.5");
        c.side = "SELL";
        c.executionToken = "tok-1";
        c.payloadJson = "{\"entry_price\": \"61000\", \"brand_new_key\": 1}";
        c.source = "ws";
        c.retryCount = 0;
        c.commitOrderLsn = 1000L;
        c.lsn = 1010L;
        c.txId = 77L;
        c.sourceTimeMicros = 1_763_683_199_500_000L;
        return c;
    }

    @Test
    void aValidInsertBecomesABronzeRecordWithEveryColumnAndItsSourcePosition() {
        BronzeEvent e = OutboxChangeToBronze.map(change(OutboxChange.INSERT), NOW, "run-1").event();

        assertThat(e.getEventId()).isEqualTo("7b7d7c3e-0d6f-4a53-9c55-3b2f4c1f0a11");
        assertThat(e.getEventSeq()).isNull();
        assertThat(e.getOccurredAt()).isEqualTo(Instant.parse("2026-11-20T23:59:59.123456Z"));
        assertThat(e.getTriggerPrice()).isEqualTo(new BigDecimal("60000.10000000"));
        assertThat(e.getStopPrice().scale()).isEqualTo(8);
        assertThat(e.getPayloadJson()).contains("brand_new_key");
        assertThat(e.getChangeKind()).isEqualTo("INSERT");
        assertThat(e.getSourceCommitLsn()).isEqualTo(1000L);
        assertThat(e.getSourceLsn()).isEqualTo(1010L);
        assertThat(e.getSourceTxId()).isEqualTo(77L);
        assertThat(e.getSourceCommitTs()).isEqualTo(Instant.parse("2025-11-20T23:59:59.500Z"));
        assertThat(e.getIngestedAt()).isEqualTo(NOW);
        assertThat(e.getIngestRunId()).isEqualTo("run-1");
    }

    @Test
    void anUnknownEventTypePassesThroughUntouched() {
        OutboxChange c = change(OutboxChange.INSERT);
        c.eventType = "PARTIAL_FILL";
        assertThat(OutboxChangeToBronze.map(c, NOW, "r").event().getEventType()).isEqualTo("PARTIAL_FILL");
    }

    @Test
    void aBlankSymbolGoesToTheDeadLettersWithTheReasonAndTheRawRow() {
        OutboxChange c = change(OutboxChange.INSERT);
        c.symbol = " ";
        var outcome = OutboxChangeToBronze.map(c, NOW, "r");
        assertThat(outcome.event()).isNull();
        assertThat(outcome.deadLetter().getReason()).isEqualTo("symbol is blank");
        assertThat(outcome.deadLetter().getRawRowJson()).contains("\"symbol\": \" \"").contains("\"operation_id\": 42");
        assertThat(outcome.deadLetter().getEventId()).isEqualTo(c.eventId);
    }

    @Test
    void anImplausibleOccurredAtGoesToTheDeadLetters() {
        OutboxChange c = change(OutboxChange.INSERT);
        c.occurredAt = "1970-01-01T00:00:00Z";
        assertThat(OutboxChangeToBronze.map(c, NOW, "r").deadLetter().getReason()).startsWith("occurred_at 1970-01-01T00:00:00Z is outside");
        c.occurredAt = "infinity";
        assertThat(OutboxChangeToBronze.map(c, NOW, "r").deadLetter().getReason()).isEqualTo("occurred_at is not a timestamp: infinity");
    }

    @Test
    void aDecimalThatDoesNotFitItsColumnGoesToTheDeadLetters() {
        OutboxChange c = change(OutboxChange.INSERT);
        c.slippagePct = new BigDecimal("1.23456");
        assertThat(OutboxChangeToBronze.map(c, NOW, "r").deadLetter().getReason()).isEqualTo("slippage_pct 1.23456 does not fit numeric(10,4)");
    }

    @Test
    void aRowTheSourceCouldNotReadGoesToTheDeadLettersAsDelivered() {
        OutboxChange c = new OutboxChange();
        c.kind = OutboxChange.INSERT;
        c.problem = "cannot read the row: column retry_count is missing";
        c.rawRow = "{\"event_id\": \"x\"}";
        var dead = OutboxChangeToBronze.map(c, NOW, "r").deadLetter();
        assertThat(dead.getReason()).isEqualTo(c.problem);
        assertThat(dead.getRawRowJson()).isEqualTo(c.rawRow);
    }

    @Test
    void aDeleteIsNeitherARecordNorADeadLetter() {
        var outcome = OutboxChangeToBronze.map(change(OutboxChange.DELETE), NOW, "r");
        assertThat(outcome.deleted()).isNotNull();
        assertThat(outcome.event()).isNull();
        assertThat(outcome.deadLetter()).isNull();
    }

    @Test
    void theSameRowDeliveredTwiceHasOneFingerprintAndAnUpdatedRowAnother() {
        BronzeEvent first = OutboxChangeToBronze.map(change(OutboxChange.SNAPSHOT), NOW, "run-1").event();
        OutboxChange again = change(OutboxChange.INSERT);
        again.lsn = 99_999L;
        BronzeEvent second = OutboxChangeToBronze.map(again, NOW.plusSeconds(5), "run-2").event();
        OutboxChange updated = change(OutboxChange.UPDATE);
        updated.errorMessage = "changed";
        BronzeEvent third = OutboxChangeToBronze.map(updated, NOW, "run-1").event();

        assertThat(OutboxChangeToBronze.contentFingerprint(second)).isEqualTo(OutboxChangeToBronze.contentFingerprint(first));
        assertThat(OutboxChangeToBronze.contentFingerprint(third)).isNotEqualTo(OutboxChangeToBronze.contentFingerprint(first));
    }

    @Test
    void debeziumsSequenceGivesTheTransactionOrderingLsn() {
        assertThat(OutboxChangeDeserializer.firstSequenceElement("[\"24023128\",\"24023160\"]")).isEqualTo(24023128L);
        assertThat(OutboxChangeDeserializer.firstSequenceElement("[null,\"24023160\"]")).isNull();
    }

    @Test
    void anUpdateThatOnlySetsANewColumnIsANewVersion() {
        OutboxChange backFilled = withExtraColumns(OutboxChange.UPDATE, "{\"venue\": \"XNAS\"}");

        long first = fingerprint(change(OutboxChange.INSERT));
        long second = fingerprint(backFilled);
        long third = fingerprint(withExtraColumns(OutboxChange.UPDATE, "{\"venue\": \"XLON\"}"));

        assertThat(OutboxChangeToBronze.map(backFilled, NOW, "r").event().getExtraColumns()).isEqualTo("{\"venue\": \"XNAS\"}");
        assertThat(second).isNotEqualTo(first);
        assertThat(third).isNotEqualTo(second).isNotEqualTo(first);
    }

    @Test
    void aRowReDeliveredAfterANullableColumnWasAddedKeepsItsFingerprint() {
        OutboxChange afterMigration = withExtraColumns(OutboxChange.INSERT, "{\"venue\": null, \"fee\": null}");
        assertThat(fingerprint(afterMigration)).isEqualTo(fingerprint(change(OutboxChange.INSERT)));
    }

    @Test
    void theOrderOfTheExtraColumnsDoesNotChangeTheFingerprint() {
        assertThat(fingerprint(withExtraColumns(OutboxChange.INSERT, "{\"fee\": 0.10, \"venue\": \"XNAS\"}")))
                .isEqualTo(fingerprint(withExtraColumns(OutboxChange.INSERT, "{\"venue\": \"XNAS\", \"fee\": 0.10}")));
    }

    private static OutboxChange withExtraColumns(String kind, String extraColumnsJson) {
        OutboxChange c = change(kind);
        c.extraColumnsJson = extraColumnsJson;
        return c;
    }

    private static long fingerprint(OutboxChange c) {
        return OutboxChangeToBronze.contentFingerprint(OutboxChangeToBronze.map(c, NOW, "r").event());
    }

    @Test
    void aDeadLetterKeepsTheExtraColumnsInItsRawRow() {
        OutboxChange c = withExtraColumns(OutboxChange.INSERT, "{\"venue\": \"XNAS\", \"fee\": 0.10}");
        c.symbol = " ";
        assertThat(OutboxChangeToBronze.map(c, NOW, "r").deadLetter().getRawRowJson())
                .endsWith("\"retry_count\": 0, \"venue\": \"XNAS\", \"fee\": 0.10}");
    }

    @Test
    void occurredAtIsReadExactlyAsInstantParseReadsIt() {
        for (String text : java.util.List.of("2026-11-20T08:00:00Z", "2026-11-20T08:00:00.1Z", "2026-11-20T08:00:00.123456Z",
                "2026-11-20T08:00:00.123456789Z", "2024-02-29T23:59:59.5Z", "1999-12-31T00:00:00Z", "2026-01-01T00:00:00+01:00",
                "2026-11-20T08:00:00.000000Z", "2026-11-20T24:00:00Z", "2026-11-20T08:00:00.Z", "2023-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-11-20T25:00:00Z", "2026-11-20T08:60:00Z", "2026-11-20T08:00:00.1234567890Z",
                "2026-11-20 08:00:00Z", "2026-11-2OT08:00:00Z", "yesterday", "")) {
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                expected = null;
            }
            assertThat(OutboxChangeToBronze.parseInstant(text)).as(text).isEqualTo(expected);
        }
        assertThat(OutboxChangeToBronze.parseInstant("2026-11-20T08:00:00.25Z")).isEqualTo(Instant.ofEpochSecond(1_795_161_600L, 250_000_000));
    }

    /**
     * Dedup state holds fingerprints taken since the first release: the fingerprint must stay the SHA-256 of exactly
     * this text. Random records (times from 1901 to 2100 to the microsecond, decimals beyond a long, either sign) and
     * values at the edges are fingerprinted both ways.
     */
    @Test
    void theFingerprintIsStillTheDigestOfTheJoinedTextItWasFirstStoredAs() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 100_000; i++) {
            BronzeEvent e = FlatAvroWriteSupportTest.randomEvent(random, i);
            assertThat(OutboxChangeToBronze.contentFingerprint(e)).as("%s", e).isEqualTo(fingerprintAsFirstStored(e));
        }
        java.util.List<Instant> instants = new java.util.ArrayList<>(java.util.List.of(Instant.EPOCH,
                Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("0999-12-31T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.9Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX,
                Instant.parse("2024-02-29T12:00:00.000001Z"), Instant.parse("2026-11-20T08:00:00.120Z"),
                Instant.parse("2026-11-20T08:00:00.000000010Z"), Instant.parse("1969-12-31T23:59:59.999Z")));
        for (int i = 0; i < 100_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong() % 400_000_000_000L, random.nextInt(4) == 0 ? 0
                    : random.nextBoolean() ? random.nextInt(1000) * 1_000_000 : random.nextInt(1_000_000_000)));
        }
        java.util.List<BigDecimal> decimals = new java.util.ArrayList<>(java.util.List.of(BigDecimal.ZERO,
                new BigDecimal("0E-8"), new BigDecimal("-0.00000001"), new BigDecimal("1E+3"), new BigDecimal("-5E-20"),
                new BigDecimal("4611686018427387903E-8"), new BigDecimal("-4611686018427387904E-8"),
                new BigDecimal("9223372036854775807E-8"), new BigDecimal("123456789012345678901234567890.12345678")));
        for (int i = 0; i < 100_000; i++) {
            decimals.add(BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(30) - 5));
        }
        BronzeEvent e = FlatAvroWriteSupportTest.randomEvent(random, 0);
        for (int i = 0; i < instants.size(); i++) {
            e.put(2, instants.get(i)); // put: the setter would cut nanoseconds
            e.setStopPrice(decimals.get(i % decimals.size()));
            e.setSymbol(i % 3 == 0 ? "\u00e9\u20ac\uD83D\uDE00" : i % 3 == 1 ? "a\uD800b" : null);
            e.setEventSeq(i % 2 == 0 ? null : random.nextLong());
            e.setExtraColumns(i % 5 == 0 ? "{\"venue\": \"X\u00e9\", \"fee\": null}" : null);
            assertThat(OutboxChangeToBronze.contentFingerprint(e)).as("%s %s", e.getOccurredAt(), e.getStopPrice())
                    .isEqualTo(fingerprintAsFirstStored(e));
        }
    }

    /** The fingerprint as first written: the columns as String.valueOf / toString / toPlainString, joined. */
    private static long fingerprintAsFirstStored(BronzeEvent e) {
        java.util.function.Function<BigDecimal, String> plain = d -> d == null ? "null" : d.toPlainString();
        String content = String.join("\u0001",
                e.getEventId(), String.valueOf(e.getEventSeq()), e.getOccurredAt().toString(),
                String.valueOf(e.getOperationId()), String.valueOf(e.getClientId()), e.getSymbol(), e.getEventType(),
                plain.apply(e.getTriggerPrice()), plain.apply(e.getStopPrice()), plain.apply(e.getQuantity()), String.valueOf(e.getSide()),
                String.valueOf(e.getExecutionToken()), e.getPayloadJson(), String.valueOf(e.getRequestPayloadHash()),
                String.valueOf(e.getExchangeOrderId()), plain.apply(e.getFillPrice()), plain.apply(e.getSlippagePct()), e.getSource(),
                String.valueOf(e.getErrorMessage()), String.valueOf(e.getRetryCount())) + OutboxChangeToBronze.extraContent(e.getExtraColumns());
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d, 0, 8).getLong();
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
