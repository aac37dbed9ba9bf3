package io.deepstorage.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.deepstorage.schemas.LakeLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small file operations on the lake through the Hadoop FileSystem (s3a or file). */
public final class LakeFiles {
    private final Configuration conf;

    public LakeFiles(Configuration conf) {
        this.conf = conf;
    }

    /**
     * Committed Parquet parts below {@code uri}, recursively, sorted by path; empty if absent. The rule is
     * {@link LakeLayout#committedParts}; this only lists folders through the Hadoop FileSystem.
     */
    public List<LakeLayout.Entry> committedParts(String uri) {
        try {
            FileSystem fs = new Path(uri).getFileSystem(conf);
            return LakeLayout.committedParts(uri, dir -> list(fs, new Path(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
    }

    private static List<LakeLayout.Entry> list(FileSystem fs, Path dir) throws IOException {
        try {
            return Arrays.stream(fs.listStatus(dir)).map(s -> new LakeLayout.Entry(
                    s.getPath().toString(), s.getPath().getName(), s.isDirectory(), s.getLen())).toList();
        } catch (FileNotFoundException absent) {
            return List.of();
        }
    }

    /**
     * Partition directories {@code depth} levels below {@code uri} (e.g. "client_id=1/date=2024-03-01"), relative
     * and sorted; hidden and staging folders are skipped, and so is anything that is not a partition folder.
     */
    public List<String> partitionDirs(String uri, int depth) {
        return partitionDirs(uri, depth, false);
    }

    /**
     * {@link #partitionDirs} for a job that deletes: every entry above the partitions' own level must be a
     * partition folder ({@code name=value}) or hidden ({@code _…}, {@code .…}: commit markers, staging); anything
     * else throws, so the caller can refuse instead of acting on a lake it does not understand.
     */
    public List<String> partitionDirsStrictly(String uri, int depth) {
        return partitionDirs(uri, depth, true);
    }

    private List<String> partitionDirs(String uri, int depth, boolean strict) {
        try {
            Path root = new Path(uri);
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                return List.of();
            }
            List<String> found = new ArrayList<>();
            collectPartitionDirs(fs, root, "", depth, strict, found);
            found.sort(Comparator.naturalOrder());
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri + ": " + e.getMessage(), e);
        }
    }

    private static void collectPartitionDirs(FileSystem fs, Path dir, String prefix, int depth, boolean strict,
                                             List<String> found) throws IOException {
        org.apache.hadoop.fs.FileStatus[] children;
        try {
            children = fs.listStatus(dir);
        } catch (FileNotFoundException gone) {
            return; // an emptied folder: S3 may still list its prefix once its last object is gone
        }
        for (var status : children) {
            String name = status.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            String relative = prefix.isEmpty() ? name : prefix + "/" + name;
            if (!status.isDirectory() || !name.contains("=")) {
                if (strict) {
                    throw new IllegalStateException("unexpected " + (status.isDirectory() ? "folder " : "object ") + relative);
                }
                continue;
            }
            if (depth == 1) {
                found.add(relative);
            } else {
                collectPartitionDirs(fs, status.getPath(), relative, depth - 1, strict, found);
            }
        }
    }

    /** The names of the entries directly in {@code uri}; empty when it does not exist. */
    public List<String> list(String uri) {
        try {
            Path dir = new Path(uri);
            FileSystem fs = dir.getFileSystem(conf);
            return list(fs, dir).stream().map(LakeLayout.Entry::name).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
    }

    public boolean exists(String uri) {
        try {
            Path path = new Path(uri);
            return path.getFileSystem(conf).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look at " + uri, e);
        }
    }

    /** Bytes of every object below {@code uri}. */
    public long sizeOf(String uri) {
        try {
            Path path = new Path(uri);
            return path.getFileSystem(conf).getContentSummary(path).getLength();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size " + uri, e);
        }
    }

    public Optional<String> readText(String uri) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            try (FSDataInputStream in = fs.open(path)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri, e);
        }
    }

    public void writeText(String uri, String text) {
        try {
            Path path = new Path(uri);
            try (FSDataOutputStream out = path.getFileSystem(conf).create(path, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + uri, e);
        }
    }

    public void delete(String uri) {
        try {
            Path path = new Path(uri);
            path.getFileSystem(conf).delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + uri, e);
        }
    }
}
