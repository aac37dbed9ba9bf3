package io.deepstorage.bronze;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;

/**
 * Parquet-Avro FileSinks for bronze and its dead letters. Bulk formats roll on every checkpoint, and a part becomes
 * visible (part-*.parquet) only when the checkpoint that covers it completes: exactly once.
 */
public final class BronzeSinks {
    private BronzeSinks() {}

    /** {@code <lake>/bronze/events/date=YYYY-MM-DD/} by the UTC date of occurred_at. */
    public static FileSink<BronzeEvent> events(String lakeUri) {
        return events(lakeUri, parquet(BronzeEvent.class, Schemas.BRONZE_EVENT_PLAIN_COLUMNS));
    }

    /** {@link #events(String)} with another Parquet writer, e.g. a later or earlier schema of bronze (upgrade tests). */
    public static FileSink<BronzeEvent> events(String lakeUri, BulkWriter.Factory<BronzeEvent> writer) {
        return events(lakeUri, writer, LakeLayout.PART_PREFIX);
    }

    /** {@link #events(String)} whose parts are named {@code <partPrefix>-…} (still committed parts: part-*). */
    public static FileSink<BronzeEvent> events(String lakeUri, String partPrefix) {
        return events(lakeUri, parquet(BronzeEvent.class, Schemas.BRONZE_EVENT_PLAIN_COLUMNS), partPrefix);
    }

    private static FileSink<BronzeEvent> events(String lakeUri, BulkWriter.Factory<BronzeEvent> writer, String partPrefix) {
        return FileSink.forBulkFormat(new Path(lakeUri + "/" + LakeLayout.BRONZE_EVENTS), writer)
                .withBucketAssigner(new UtcDateBuckets<>(e -> e.getOccurredAt()))
                .withOutputFileConfig(partNames(partPrefix))
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .build();
    }

    /** {@code <lake>/bronze/_dlq/date=YYYY-MM-DD/} by the UTC date the letter was written (occurred_at may be the broken part). */
    public static FileSink<DeadLetter> deadLetters(String lakeUri) {
        return deadLetters(lakeUri, LakeLayout.PART_PREFIX);
    }

    /** {@link #deadLetters(String)} whose parts are named {@code <partPrefix>-…}. */
    public static FileSink<DeadLetter> deadLetters(String lakeUri, String partPrefix) {
        return FileSink.forBulkFormat(new Path(lakeUri + "/" + LakeLayout.BRONZE_DEAD_LETTERS),
                        parquet(DeadLetter.class, List.of()))
                .withBucketAssigner(new UtcDateBuckets<>(d -> d.getIngestedAt()))
                .withOutputFileConfig(partNames(partPrefix))
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .build();
    }

    /**
     * Parquet-Avro writer for a generated record class, with that class's own data model: it carries the decimal
     * and timestamp conversions (Flink's AvroParquetWriters.forSpecificRecord drops them and fails on Instant).
     */
    static <T extends SpecificRecordBase> ParquetWriterFactory<T> parquet(Class<T> type) {
        return parquet(type, List.of());
    }

    /**
     * {@link #parquet(Class)} with dictionary encoding off for {@code plainColumns}. Records are written by
     * {@link FlatAvroWriteSupport}: parquet-avro's files, byte for byte, for less CPU per record.
     */
    static <T extends SpecificRecordBase> ParquetWriterFactory<T> parquet(Class<T> type, List<String> plainColumns) {
        String schema = SpecificData.get().getSchema(type).toString();
        List<String> plain = List.copyOf(plainColumns); // serialisable with the factory
        return new ParquetWriterFactory<>(out -> writer(out, new org.apache.avro.Schema.Parser().parse(schema),
                SpecificData.getForClass(type), plain));
    }

    /** A Parquet writer of bronze's files (the job's parts, compaction's): snappy, no dictionary for {@code plainColumns}. */
    static <T extends IndexedRecord> ParquetWriter<T> writer(OutputFile out, org.apache.avro.Schema schema, GenericData model,
                                                             List<String> plainColumns) throws IOException {
        var builder = FlatAvroWriteSupport.<T>builder(out, schema, model)
                .withConf(new Configuration(WriterSettings.LOADED))
                .withCompressionCodec(CompressionCodecName.SNAPPY);
        plainColumns.forEach(column -> builder.withDictionaryEncoding(column, false));
        return builder.build();
    }

    /**
     * The Hadoop settings every Parquet writer starts from, read once per JVM: a new Configuration parses Hadoop's
     * XML defaults again on first use, which every part file's writer did (1.4 % of the bronze JVM's samples at
     * full speed). Each writer gets a copy, so none sees another's changes.
     */
    private static final class WriterSettings {
        static final Configuration LOADED = loaded();

        private static Configuration loaded() {
            Configuration conf = new Configuration();
            conf.size(); // reads the defaults now
            return conf;
        }
    }

    private static OutputFileConfig partNames(String partPrefix) {
        return OutputFileConfig.builder()
                .withPartPrefix(partPrefix)
                .withPartSuffix(LakeLayout.PART_SUFFIX)
                .build();
    }

    /** Hive-style {@code date=YYYY-MM-DD} buckets from a timestamp of the record. */
    static final class UtcDateBuckets<T> implements BucketAssigner<T, String> {
        private static final long serialVersionUID = 1L;

        interface Time<T> extends java.io.Serializable {
            Instant of(T record);
        }

        private final Time<T> time;

        UtcDateBuckets(Time<T> time) {
            this.time = time;
        }

        @Override
        public String getBucketId(T element, Context context) {
            return bucketOf(time.of(element));
        }

        static String bucketOf(Instant instant) {
            return "date=" + instant.atOffset(ZoneOffset.UTC).toLocalDate();
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }
}
