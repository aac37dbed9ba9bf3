package io.deepstorage.bronze;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import io.deepstorage.schemas.LakeLayout;

/**
 * Reads what the FileSink has committed under a layer (the committed parts {@link LakeLayout#committedParts}
 * lists; in-progress data is never visible there), through Flink's filesystem, so it works on S3 as on a local folder. Committed
 * files never change, so what was read of a file is remembered.
 */
public final class CommittedParts {
    /** Decimals read as BigDecimal and timestamps as Instant, as the schemas declare them. */
    static final GenericData DATA_MODEL = new GenericData();

    static {
        DATA_MODEL.addLogicalTypeConversion(new org.apache.avro.Conversions.DecimalConversion());
        DATA_MODEL.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMicrosConversion());
    }

    private final String layerUri;
    private final Map<String, List<String>> eventIdsByFile = new HashMap<>();

    public CommittedParts(String layerUri) {
        this.layerUri = layerUri;
    }

    /** Every committed part file under the layer, through {@link LakeLayout#committedParts}. */
    public List<LakeLayout.Entry> files() throws IOException {
        return LakeLayout.committedParts(layerUri, CommittedParts::list);
    }

    /** One folder through Flink's filesystem (S3 or local); a missing folder lists as empty. */
    static List<LakeLayout.Entry> list(String dir) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem();
        if (!fs.exists(path)) {
            return List.of();
        }
        List<LakeLayout.Entry> entries = new ArrayList<>();
        for (FileStatus f : fs.listStatus(path)) {
            entries.add(new LakeLayout.Entry(f.getPath().toString(), f.getPath().getName(), f.isDir(), f.getLen()));
        }
        return entries;
    }

    /** The event_id column of every committed row (nulls skipped), one entry per row. */
    public List<String> eventIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String id : eventIdColumn()) {
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Number of committed rows. */
    public long rowCount() throws IOException {
        return eventIdColumn().size();
    }

    private List<String> eventIdColumn() throws IOException {
        List<String> ids = new ArrayList<>();
        for (LakeLayout.Entry f : files()) {
            ids.addAll(eventIds(f));
        }
        return ids;
    }

    /** The event_id column of one committed file (nulls kept), read once per file. */
    public List<String> eventIds(LakeLayout.Entry f) throws IOException {
        List<String> cached = eventIdsByFile.get(f.path());
        if (cached == null) {
            List<String> read = new ArrayList<>();
            Schema projection = SchemaBuilder.record("EventIdOnly").fields().optionalString("event_id").endRecord();
            readRows(f, projection, r -> {
                Object id = r.get("event_id");
                read.add(id == null ? null : id.toString());
            });
            cached = read;
            eventIdsByFile.put(f.path(), cached);
        }
        return cached;
    }

    /** The Avro schema the file was written with (parquet-avro keeps it in the footer). */
    public static Schema writerSchema(LakeLayout.Entry file) throws IOException {
        try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(new FlinkInputFile(file))) {
            String schema = reader.getFooter().getFileMetaData().getKeyValueMetaData().get("parquet.avro.schema");
            if (schema == null) {
                throw new IOException(file.path() + " carries no Avro schema: not written by parquet-avro");
            }
            return new Schema.Parser().parse(schema);
        }
    }

    /** Reads every row of one file (all columns when {@code projection} is null). */
    public static void readRows(LakeLayout.Entry file, Schema projection, Consumer<GenericRecord> rows) throws IOException {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
        if (projection != null) {
            AvroReadSupport.setRequestedProjection(conf, projection);
        }
        read(file, conf, rows);
    }

    /**
     * Reads every row of one file as {@code readerSchema}, as a reader of a later bronze schema does: a column the
     * file lacks takes the field's default.
     */
    public static void readRowsAs(LakeLayout.Entry file, Schema readerSchema, Consumer<GenericRecord> rows) throws IOException {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
        AvroReadSupport.setAvroReadSchema(conf, readerSchema);
        read(file, conf, rows);
    }

    private static void read(LakeLayout.Entry file, org.apache.hadoop.conf.Configuration conf, Consumer<GenericRecord> rows)
            throws IOException {
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new FlinkInputFile(file))
                .withDataModel(DATA_MODEL)
                .withConf(conf)
                .build()) {
            GenericRecord r;
            while ((r = reader.read()) != null) {
                rows.accept(r);
            }
        }
    }

    /** Parquet's InputFile over a Flink filesystem file. */
    private static final class FlinkInputFile implements InputFile {
        private final LakeLayout.Entry file;

        FlinkInputFile(LakeLayout.Entry file) {
            this.file = file;
        }

        @Override
        public long getLength() {
            return file.size();
        }

        @Override
        public SeekableInputStream newStream() throws IOException {
            Path path = new Path(file.path());
            FSDataInputStream in = path.getFileSystem().open(path);
            return new DelegatingSeekableInputStream(in) {
                @Override
                public long getPos() throws IOException {
                    return in.getPos();
                }

                @Override
                public void seek(long newPos) throws IOException {
                    in.seek(newPos);
                }
            };
        }
    }
}
