package io.deepstorage.local;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.schemas.LakeLayout;

/** Reads the lake back through the S3 server with s3a, as another engine would: only committed part files. */
final class LakeReader {
    /** A row and the Hive-style partition values of the folder it was in. */
    record Row(GenericRecord record, Map<String, String> partition, String file) {
        Object get(String field) {
            return record.get(field);
        }
    }

    private static final GenericData MODEL = new GenericData();

    static {
        MODEL.addLogicalTypeConversion(new Conversions.DecimalConversion());
        MODEL.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        MODEL.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        MODEL.addLogicalTypeConversion(new TimeConversions.DateConversion());
    }

    private final Configuration conf;
    private final String bucket;

    LakeReader(String endpoint, String bucket, String accessKey, String secretKey) {
        this.bucket = bucket;
        conf = new Configuration(false);
        conf.set("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        // Hadoop caches a filesystem per bucket name: a reader of another test's server (same bucket name, another
        // endpoint) must not get that one, whose server may be gone.
        conf.setBoolean("fs.s3a.impl.disable.cache", true);
        LakeEndpoint.from(CommandLine.parse(new String[] {"--s3-endpoint", endpoint, "--bucket", bucket},
                        Map.of(LakeEndpoint.ACCESS_KEY_ENV, accessKey, LakeEndpoint.SECRET_KEY_ENV, secretKey), LakeEndpoint.OPTIONS))
                .hadoopSettings().forEach(conf::set);
    }

    List<Row> rows(String layer) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path root = new Path("s3a://" + bucket + "/" + layer);
        FileSystem fs = FileSystem.get(URI.create("s3a://" + bucket + "/"), conf);
        if (!fs.exists(root)) {
            return rows;
        }
        LakeLayout.Listing listing = dir -> {
            List<LakeLayout.Entry> entries = new ArrayList<>();
            for (FileStatus f : fs.listStatus(new Path(dir))) {
                entries.add(new LakeLayout.Entry(f.getPath().toString(), f.getPath().getName(), f.isDirectory(), f.getLen()));
            }
            return entries;
        };
        for (LakeLayout.Entry part : LakeLayout.committedParts(root.toString(), listing)) {
            Path file = new Path(part.path());
            String relative = part.path().substring(root.toString().length());
            Map<String, String> partition = new LinkedHashMap<>();
            for (String segment : relative.split("/")) {
                int eq = segment.indexOf('=');
                if (eq > 0) {
                    partition.put(segment.substring(0, eq), segment.substring(eq + 1));
                }
            }
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(file, conf))
                    .withDataModel(MODEL).build()) {
                GenericRecord r;
                while ((r = reader.read()) != null) {
                    rows.add(new Row(r, partition, relative));
                }
            }
        }
        return rows;
    }

    String text(String key) throws IOException {
        Path p = new Path("s3a://" + bucket + "/" + key);
        FileSystem fs = FileSystem.get(URI.create("s3a://" + bucket + "/"), conf);
        try (var in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
