package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;
import io.deepstorage.schemas.Schemas;

class FlatAvroWriteSupportTest {
    @TempDir
    java.nio.file.Path dir;

    /** Text of every shape the outbox can hold: empty, plain, '?', accents, CJK, emoji (surrogate pairs), quotes. */
    private static final String[] TEXTS = {"", "BTCUSDC", "what?", "?", "prix d'entrée", "止损单", "🚀 to the moon 🌕",
            "{\"entry_price\": \"61000.5\", \"note\": \"a\\\"b\"}", "tab\there\nnewline", "ü?ß?"};

    @Test
    void bronzeFilesAreTheBytesParquetAvroWrites() throws Exception {
        Random random = new Random(20261207);
        List<BronzeEvent> events = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            events.add(randomEvent(random, i));
        }
        byte[] ours = write(BronzeSinks.parquet(BronzeEvent.class, Schemas.BRONZE_EVENT_PLAIN_COLUMNS), events, "ours");
        byte[] theirs = write(parquetAvro(BronzeEvent.class, Schemas.BRONZE_EVENT_PLAIN_COLUMNS), events, "parquet-avro");
        assertThat(ours.length).isGreaterThan(100_000);
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void deadLetterFilesAreTheBytesParquetAvroWrites() throws Exception {
        Random random = new Random(7);
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            letters.add(DeadLetter.newBuilder()
                    .setReason(text(random) + " #" + i)
                    .setRawRowJson("{\"event_id\": \"" + text(random) + "\"}")
                    .setEventId(random.nextInt(4) == 0 ? null : "e-" + random.nextLong())
                    .setChangeKind(random.nextBoolean() ? "insert" : "delete")
                    .setSourceLsn(random.nextInt(3) == 0 ? null : random.nextLong())
                    .setSourceTxId(random.nextInt(3) == 0 ? null : (long) random.nextInt())
                    .setIngestedAt(Instant.EPOCH.plusNanos(micros(random) * 1000))
                    .setIngestRunId("run-" + random.nextInt(3))
                    .build());
        }
        assertThat(write(BronzeSinks.parquet(DeadLetter.class, List.of()), letters, "ours"))
                .isEqualTo(write(parquetAvro(DeadLetter.class, List.of()), letters, "parquet-avro"));
    }

    @Test
    void aStringParquetAvroCannotEncodeFailsTheWriteAsItDoesThere() throws Exception {
        // An unpaired surrogate: String.getBytes would write '?', parquet-avro's encoder refuses it.
        BronzeEvent bad = randomEvent(new Random(1), 1);
        bad.setPayloadJson("{\"x\": \"\uD800?\"}");
        Throwable ours = catchThrowable(() -> write(BronzeSinks.parquet(BronzeEvent.class, List.of()), List.of(bad), "ours"));
        Throwable theirs = catchThrowable(() -> write(parquetAvro(BronzeEvent.class, List.of()), List.of(bad), "theirs"));
        assertThat(theirs).isNotNull();
        assertThat(ours).isNotNull().hasSameClassAs(theirs).hasMessage(theirs.getMessage());
    }

    @Test
    void aNullInARequiredFieldIsRefusedWithParquetAvrosMessage() {
        BronzeEvent bad = randomEvent(new Random(2), 2);
        bad.setSymbol(null);
        assertThatThrownBy(() -> write(BronzeSinks.parquet(BronzeEvent.class, List.of()), List.of(bad), "ours"))
                .hasStackTraceContaining("Null-value for required field: symbol");
    }

    @Test
    void onlyFlatRecordsAreWrittenByItAndOthersAreLeftToParquetAvro() {
        Schema flat = SchemaBuilder.record("Flat").fields().requiredString("a").optionalLong("b")
                .requiredBoolean("c").requiredDouble("d").endRecord();
        Schema nested = SchemaBuilder.record("Nested").fields().requiredString("a")
                .name("items").type().array().items().stringType().noDefault().endRecord();
        assertThat(new FlatAvroWriteSupport<>(new Configuration(), flat, GenericData.get()).writesItself()).isTrue();
        assertThat(new FlatAvroWriteSupport<>(new Configuration(), nested, GenericData.get()).writesItself()).isFalse();
        assertThat(new FlatAvroWriteSupport<>(new Configuration(), BronzeEvent.getClassSchema(),
                SpecificData.getForClass(BronzeEvent.class)).writesItself()).isTrue();
    }

    /** The writer bronze had before FlatAvroWriteSupport: parquet-avro's own, same settings. */
    private static <T extends SpecificRecordBase> ParquetWriterFactory<T> parquetAvro(Class<T> type, List<String> plain) {
        String schema = SpecificData.get().getSchema(type).toString();
        return new ParquetWriterFactory<>(out -> {
            var builder = AvroParquetWriter.<T>builder(out)
                    .withSchema(new Schema.Parser().parse(schema))
                    .withDataModel(SpecificData.getForClass(type))
                    .withCompressionCodec(CompressionCodecName.SNAPPY);
            plain.forEach(column -> builder.withDictionaryEncoding(column, false));
            return builder.build();
        });
    }

    private <T> byte[] write(BulkWriter.Factory<T> factory, List<T> records, String name) throws Exception {
        java.nio.file.Path file = dir.resolve(name + ".parquet");
        Path path = new Path(file.toUri());
        try (FSDataOutputStream out = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE)) {
            BulkWriter<T> writer = factory.create(out);
            for (T record : records) {
                writer.addElement(record);
            }
            writer.finish();
        }
        return Files.readAllBytes(file);
    }

    /** A bronze record with random values in every field, nulls where the schema allows them. */
    static BronzeEvent randomEvent(Random r, int i) {
        Function<Integer, String> maybe = n -> r.nextInt(n) == 0 ? null : text(r) + i;
        return BronzeEvent.newBuilder()
                .setEventId(new java.util.UUID(r.nextLong(), r.nextLong()).toString())
                .setEventSeq(r.nextInt(5) == 0 ? null : r.nextLong())
                .setOccurredAt(Instant.EPOCH.plusNanos(micros(r) * 1000))
                .setOperationId(r.nextLong())
                .setClientId(r.nextInt(10))
                .setSymbol(TEXTS[r.nextInt(TEXTS.length)])
                .setEventType(r.nextBoolean() ? "STOP_TRIGGERED" : "ORDER_FILLED")
                .setTriggerPrice(r.nextInt(4) == 0 ? null : decimal(r, 20, 8))
                .setStopPrice(r.nextInt(4) == 0 ? null : decimal(r, 20, 8))
                .setQuantity(r.nextInt(4) == 0 ? null : decimal(r, 20, 8))
                .setSide(maybe.apply(3))
                .setExecutionToken(maybe.apply(3))
                .setPayloadJson(text(r) + "{\"i\": " + i + ", \"note\": \"" + text(r) + "\"}")
                .setRequestPayloadHash(maybe.apply(4))
                .setExchangeOrderId(maybe.apply(2))
                .setFillPrice(r.nextInt(2) == 0 ? null : decimal(r, 20, 8))
                .setSlippagePct(r.nextInt(2) == 0 ? null : decimal(r, 10, 4))
                .setSource(r.nextBoolean() ? "ws" : "rest")
                .setErrorMessage(maybe.apply(2))
                .setRetryCount(r.nextInt(4) - 1)
                .setChangeKind(r.nextInt(10) == 0 ? "update" : "insert")
                .setSourceCommitLsn(r.nextInt(5) == 0 ? null : r.nextLong())
                .setSourceLsn(r.nextInt(5) == 0 ? null : r.nextLong())
                .setSourceTxId(r.nextInt(5) == 0 ? null : r.nextLong())
                .setSourceCommitTs(r.nextInt(5) == 0 ? null : Instant.EPOCH.plusNanos(micros(r) * 1000))
                .setIngestedAt(Instant.EPOCH.plusNanos(micros(r) * 1000))
                .setIngestRunId("run-" + r.nextInt(2))
                .setExtraColumns(r.nextInt(3) == 0 ? "{\"x\": \"" + text(r) + "\"}" : null)
                .build();
    }

    private static String text(Random r) {
        return TEXTS[r.nextInt(TEXTS.length)];
    }

    /** Times from 1901 to 2100, before the epoch too, to the microsecond. */
    private static long micros(Random r) {
        return (long) ((r.nextDouble() - 0.35) * 6.3e15);
    }

    /** A decimal of the column's scale, either sign, up to its precision. */
    private static BigDecimal decimal(Random r, int precision, int scale) {
        BigInteger unscaled = new BigInteger(r.nextInt((int) (precision * 3.32) - 1) + 1, r);
        return new BigDecimal(r.nextBoolean() ? unscaled : unscaled.negate(), scale);
    }
}
