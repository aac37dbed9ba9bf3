package io.deepstorage.bronze;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;

import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;

/**
 * Rewrites one bronze date's small committed parts into few large ones without changing a row. Per bin of parts
 * (same writer schema, together at most the target size): write the new part (an S3 object appears whole when its
 * upload completes), read it back and compare it with its sources (row count and an order-free digest of every
 * row), then delete the sources. A reader listing meanwhile sees every row, some briefly twice (silver counts each
 * event once); never none. Parts committed to the date after the listing are left as they are.
 */
public final class BronzeCompaction {
    /** New parts are named part-compacted-…: committed parts like any, and recognisable. */
    static final String COMPACTED_PREFIX = LakeLayout.PART_PREFIX + "-compacted-";

    private BronzeCompaction() {}

    /** What one compaction did. */
    public record Result(int filesBefore, int filesAfter, long rows, long bytesBefore, long bytesAfter, int bins) {}

    /**
     * Bins of parts to merge, in path order: parts of one writer schema, each bin at most {@code targetBytes}
     * (a part bigger than that stays alone); bins of one part are left out, nothing to gain. Pure.
     */
    public static List<List<LakeLayout.Entry>> bins(Map<LakeLayout.Entry, String> schemaOfPart, long targetBytes) {
        Map<String, List<LakeLayout.Entry>> bySchema = new LinkedHashMap<>();
        schemaOfPart.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(LakeLayout.Entry::path)))
                .forEach(e -> bySchema.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey()));
        List<List<LakeLayout.Entry>> bins = new ArrayList<>();
        for (List<LakeLayout.Entry> parts : bySchema.values()) {
            List<LakeLayout.Entry> bin = new ArrayList<>();
            long size = 0;
            for (LakeLayout.Entry part : parts) {
                if (!bin.isEmpty() && size + part.size() > targetBytes) {
                    bins.add(bin);
                    bin = new ArrayList<>();
                    size = 0;
                }
                bin.add(part);
                size += part.size();
            }
            bins.add(bin);
        }
        bins.removeIf(b -> b.size() < 2);
        return bins;
    }

    /** Compacts {@code <lake>/bronze/events/date=<date>/}. */
    public static Result compact(String lakeUri, LocalDate date, long targetBytes) throws IOException {
        String dir = lakeUri + "/" + LakeLayout.BRONZE_EVENTS + "/date=" + date;
        List<LakeLayout.Entry> parts = new CommittedParts(dir).files();
        Map<LakeLayout.Entry, String> schemas = new LinkedHashMap<>();
        for (LakeLayout.Entry part : parts) {
            schemas.put(part, CommittedParts.writerSchema(part).toString());
        }
        List<List<LakeLayout.Entry>> bins = bins(schemas, targetBytes);
        long rows = 0;
        long bytesBefore = parts.stream().mapToLong(LakeLayout.Entry::size).sum();
        int filesAfter = parts.size();
        for (List<LakeLayout.Entry> bin : bins) {
            rows += merge(dir, bin, new Schema.Parser().parse(schemas.get(bin.get(0))));
            filesAfter -= bin.size() - 1;
        }
        long bytesAfter = new CommittedParts(dir).files().stream().mapToLong(LakeLayout.Entry::size).sum();
        return new Result(parts.size(), filesAfter, rows, bytesBefore, bytesAfter, bins.size());
    }

    /** One bin into one new part; its sources are deleted only once the new part reads back the same. */
    private static long merge(String dir, List<LakeLayout.Entry> sources, Schema schema) throws IOException {
        Path target = new Path(dir + "/" + COMPACTED_PREFIX + UUID.randomUUID() + LakeLayout.PART_SUFFIX);
        FileSystem fs = target.getFileSystem();
        Digest written = new Digest();
        try {
            write(fs, target, sources, schema, written);
        } catch (IOException | RuntimeException e) {
            fs.delete(target, false); // a part holding some of the rows would double them beside the sources
            throw e;
        }
        Digest readBack = new Digest();
        CommittedParts.readRows(new LakeLayout.Entry(target.toString(), target.getName(), false,
                fs.getFileStatus(target).getLen()), null, readBack::add);
        if (!readBack.equals(written)) {
            fs.delete(target, false);
            throw new IOException("compacted part " + target + " does not read back as its " + sources.size()
                    + " sources (" + readBack + " against " + written + "); removed it, the sources are untouched");
        }
        for (LakeLayout.Entry source : sources) {
            Path p = new Path(source.path());
            p.getFileSystem().delete(p, false);
        }
        return written.rows;
    }

    private static void write(FileSystem fs, Path target, List<LakeLayout.Entry> sources, Schema schema, Digest written)
            throws IOException {
        try (ParquetWriter<GenericRecord> writer = BronzeSinks.writer(
                new FlinkOutputFile(fs.create(target, FileSystem.WriteMode.NO_OVERWRITE)), schema, CommittedParts.DATA_MODEL,
                Schemas.BRONZE_EVENT_PLAIN_COLUMNS)) {
            for (LakeLayout.Entry source : sources) {
                IOException[] failed = new IOException[1];
                CommittedParts.readRows(source, null, r -> {
                    try {
                        writer.write(r);
                        written.add(r);
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                });
                if (failed[0] != null) {
                    throw failed[0];
                }
            }
        }
    }

    /** Parquet's OutputFile over a Flink filesystem stream (flink-parquet's own is not public). */
    private static final class FlinkOutputFile implements org.apache.parquet.io.OutputFile {
        private final org.apache.flink.core.fs.FSDataOutputStream out;

        FlinkOutputFile(org.apache.flink.core.fs.FSDataOutputStream out) {
            this.out = out;
        }

        @Override
        public org.apache.parquet.io.PositionOutputStream create(long blockSizeHint) {
            return new org.apache.parquet.io.DelegatingPositionOutputStream(out) {
                @Override
                public long getPos() throws IOException {
                    return out.getPos();
                }
            };
        }

        @Override
        public org.apache.parquet.io.PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }

    /** Row count and an order-free sum of 64-bit hashes of every row's full text. */
    private static final class Digest {
        long rows;
        long sum;

        void add(GenericRecord r) {
            rows++;
            String text = r.toString();
            long h = 1125899906842597L;
            for (int i = 0; i < text.length(); i++) {
                h = 31 * h + text.charAt(i);
            }
            sum += h ^ (h >>> 29);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && d.rows == rows && d.sum == sum;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(rows * 31 + sum);
        }

        @Override
        public String toString() {
            return rows + " rows, digest " + Long.toHexString(sum);
        }
    }
}
