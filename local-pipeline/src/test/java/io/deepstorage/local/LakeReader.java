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
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

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
        conf.set("fs.s3a.endpoint", endpoint);
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", "false");
        conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        conf.set("fs.s3a.access.key", accessKey);
        conf.set("fs.s3a.secret.key", secretKey);
        conf.set("fs.s3a.directory.marker.retention", "keep");
    }

    List<Row> rows(String layer) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path root = new Path("s3a://" + bucket + "/" + layer);
        FileSystem fs = FileSystem.get(URI.create("s3a://" + bucket + "/"), conf);
        if (!fs.exists(root)) {
            return rows;
        }
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
        while (files.hasNext()) {
            LocatedFileStatus f = files.next();
            String name = f.getPath().getName();
            String relative = f.getPath().toString().substring(root.toString().length());
            if (!name.startsWith("part-") || !name.endsWith(".parquet") || relative.contains("/_") || relative.contains("/.")) {
                continue;
            }
            Map<String, String> partition = new LinkedHashMap<>();
            for (String segment : relative.split("/")) {
                int eq = segment.indexOf('=');
                if (eq > 0) {
                    partition.put(segment.substring(0, eq), segment.substring(eq + 1));
                }
            }
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(f.getPath(), conf))
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
