package io.deepstorage.spark.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.LakeLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import io.deepstorage.schemas.Schemas;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes bronze the way the Flink job does: parquet-avro {@link BronzeEvent} records in
 * {@code <lake>/bronze/events/date=YYYY-MM-DD/part-<uuid>.parquet}, the date being the UTC date of occurred_at.
 */
public final class BronzeFixtures {
    private BronzeFixtures() {}

    /** A streamed INSERT with every required field filled; tests override what they care about. */
    public static BronzeEvent.Builder event(String eventId, long operationId, long clientId, String eventType, Instant occurredAt) {
        return BronzeEvent.newBuilder()
                .setEventId(eventId)
                .setOccurredAt(occurredAt)
                .setOperationId(operationId)
                .setClientId(clientId)
                .setSymbol("BTCUSDC")
                .setEventType(eventType)
                .setPayloadJson("{}")
                .setSource("ws")
                .setRetryCount(0)
                .setChangeKind("INSERT")
                .setIngestedAt(occurredAt.plusSeconds(1))
                .setIngestRunId("fixture-run");
    }

    /** A decimal at the bronze scale (8), as parquet-avro requires the declared scale. */
    public static BigDecimal price(String value) {
        return new BigDecimal(value).setScale(8, RoundingMode.HALF_UP);
    }

    /** A slippage percentage at its bronze scale (4). */
    public static BigDecimal pct(String value) {
        return new BigDecimal(value).setScale(4, RoundingMode.HALF_UP);
    }

    /** Writes one part file per UTC date and returns the files written. */
    public static List<String> write(Configuration hadoopConf, String lakeUri, List<BronzeEvent> events) {
        Map<String, List<BronzeEvent>> byDate = events.stream().collect(Collectors.groupingBy(
                e -> e.getOccurredAt().atOffset(ZoneOffset.UTC).toLocalDate().toString(), TreeMap::new, Collectors.toList()));
        return byDate.entrySet().stream().map(entry -> {
            String file = lakeUri + "/" + LakeLayout.BRONZE_EVENTS + "/date=" + entry.getKey() + "/part-" + UUID.randomUUID() + ".parquet";
            try (ParquetWriter<BronzeEvent> writer = AvroParquetWriter.<BronzeEvent>builder(new Path(file))
                    .withSchema(BronzeEvent.getClassSchema())
                    .withDataModel(new BronzeEvent().getSpecificData())
                    .withConf(hadoopConf)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build()) {
                for (BronzeEvent event : entry.getValue()) {
                    writer.write(event);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write bronze fixture " + file, e);
            }
            return file;
        }).toList();
    }

    /**
     * Writes one part file (of the first event's date) with bronze's schema plus {@code column} (nullable), as a job
     * upgraded to a wider bronze schema writes it; returns the file.
     */
    public static String writeWithNewColumn(Configuration hadoopConf, String lakeUri, List<BronzeEvent> events,
                                            String column, String value) {
        Schema wider = Schemas.withNullableColumn(BronzeEvent.getClassSchema(), column, "added by an upgrade");
        String date = events.get(0).getOccurredAt().atOffset(ZoneOffset.UTC).toLocalDate().toString();
        String file = lakeUri + "/" + LakeLayout.BRONZE_EVENTS + "/date=" + date + "/part-" + UUID.randomUUID() + ".parquet";
        try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new Path(file))
                .withSchema(wider)
                .withDataModel(new BronzeEvent().getSpecificData())
                .withConf(hadoopConf)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build()) {
            for (BronzeEvent event : events) {
                writer.write(Schemas.widened(event, wider, column, value));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write bronze fixture " + file, e);
        }
        return file;
    }

    /** Writes a file that is not a committed part (an in-progress or hidden file) which readers must ignore. */
    public static void writeUncommitted(Configuration hadoopConf, String lakeUri, String date, String fileName, byte[] bytes) {
        Path path = new Path(lakeUri + "/" + LakeLayout.BRONZE_EVENTS + "/date=" + date + "/" + fileName);
        try (var out = path.getFileSystem(hadoopConf).create(path, true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
