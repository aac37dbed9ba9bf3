package io.deepstorage.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a bronze JVM's CPU went, from its Java Flight Recorder file ({@code -XX:StartFlightRecording}, settings
 * "profile": a Java stack sampled every 10 ms per running thread): the share of samples per pipeline stage, and the
 * hottest leaf methods. Samples are of running Java code only; GC and JIT threads are not in them (the GC log and
 * the per-thread CPU say what those cost).
 */
final class JfrProfile {
    /**
     * Pipeline stages, checked in this order against every frame of a sample (leaf first): the first stage one of
     * whose markers a frame's "class.method" contains takes the sample. Order matters: a fingerprint computed inside
     * the dedup operator is fingerprinting, not RocksDB; Parquet encoding inside the sink is not S3.
     */
    static final List<Map.Entry<String, List<String>>> STAGES = List.of(
            Map.entry("fingerprint (SHA-256 of the content)", List.of("OutboxChangeToBronze.contentFingerprint")),
            Map.entry("dedup state (RocksDB)", List.of("org.rocksdb.", "contrib.streaming.state.")),
            Map.entry("S3 upload (s3a, AWS SDK, HTTP)", List.of("org.apache.hadoop.fs.s3a.", "com.amazonaws.", "org.apache.http.")),
            Map.entry("Avro → Parquet (sink writer)", List.of("org.apache.parquet.", "org.apache.flink.formats.parquet.")),
            Map.entry("mapping (OutboxChange → BronzeEvent, validation)", List.of("OutboxChangeToBronze.", "RouteOutboxChanges.")),
            Map.entry("deserialising (Debezium record → OutboxChange)", List.of("OutboxChangeDeserializer.")),
            Map.entry("Flink record (de)serialisation between operators",
                    List.of("org.apache.flink.api.java.typeutils.runtime.", "org.apache.flink.formats.avro.",
                            "org.apache.flink.api.common.typeutils.", "org.apache.flink.runtime.io.network.api.serialization.",
                            "org.apache.flink.runtime.plugable.")),
            Map.entry("decoding (Debezium, PgJDBC, Kafka Connect)", List.of("io.debezium.", "org.postgresql.", "org.apache.kafka.connect.")),
            Map.entry("CDC source framework (Flink CDC)", List.of("org.apache.flink.cdc.")),
            Map.entry("checkpointing", List.of("org.apache.flink.runtime.checkpoint.", "org.apache.flink.runtime.state.")),
            Map.entry("Flink runtime (network, mailbox, other)", List.of("org.apache.flink.")),
            Map.entry("Avro (other)", List.of("org.apache.avro.")));

    static final String OTHER = "other (JDK, logging, harness)";

    record Summary(long samples, Map<String, Double> stageShares, Map<String, Double> topLeafShares) {
        Map<String, Object> toMap() {
            return Stats.map("samples", samples, "stage_share", stageShares, "top_leaf_methods_share", topLeafShares);
        }
    }

    private JfrProfile() {}

    /** The stage a sampled stack (frames as "class.method", leaf first) belongs to. Pure. */
    static String stageOf(List<String> frames) {
        for (Map.Entry<String, List<String>> stage : STAGES) {
            for (String frame : frames) {
                for (String marker : stage.getValue()) {
                    if (frame.contains(marker)) {
                        return stage.getKey();
                    }
                }
            }
        }
        return OTHER;
    }

    /** Shares (0..1, three decimals) of each key's count in {@code counts}, largest first, at most {@code limit}. */
    static Map<String, Double> shares(Map<String, Long> counts, long total, int limit) {
        Map<String, Double> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.put(e.getKey(), Math.round(1000.0 * e.getValue() / Math.max(1, total)) / 1000.0));
        return out;
    }

    /**
     * The samples of every readable chunk file under a JFR repository folder (a halted JVM leaves its last chunk
     * unfinished: it is skipped).
     */
    static Summary read(Path repository) throws IOException {
        Map<String, Long> stages = new HashMap<>();
        Map<String, Long> leaves = new HashMap<>();
        long[] samples = {0};
        List<Path> chunks;
        try (var files = java.nio.file.Files.walk(repository)) {
            chunks = files.filter(f -> f.toString().endsWith(".jfr")).sorted().toList();
        }
        for (Path chunk : chunks) {
            try {
                readChunk(chunk, stages, leaves, samples);
            } catch (IOException | RuntimeException unfinished) {
                // the chunk being written when the JVM halted
            }
        }
        return new Summary(samples[0], shares(stages, samples[0], STAGES.size() + 1), shares(leaves, samples[0], 15));
    }

    private static void readChunk(Path recording, Map<String, Long> stages, Map<String, Long> leaves, long[] samples) throws IOException {
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (!"jdk.ExecutionSample".equals(e.getEventType().getName()) || e.getStackTrace() == null) {
                    continue;
                }
                List<String> frames = new ArrayList<>();
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
                }
                if (frames.isEmpty()) {
                    continue;
                }
                samples[0]++;
                stages.merge(stageOf(frames), 1L, Long::sum);
                leaves.merge(frames.get(0), 1L, Long::sum);
            }
        }
    }
}
