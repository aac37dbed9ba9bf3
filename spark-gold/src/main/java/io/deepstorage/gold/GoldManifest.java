package io.deepstorage.gold;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deepstorage.schemas.LakeLayout;

/** The _manifest.json of one training-set version. Written last: a version without it is not committed. */
public final class GoldManifest {
    public static final String FILE_NAME = "_manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GoldManifest() {}

    public record SplitCounts(long trainRows, long trainPositives, long testRows, long testPositives, long purgedRows) {}

    static String toJson(GoldDataset dataset, GoldConfig config, String codeVersion, Instant cutoff, SplitCounts counts,
                         String silverUri, List<LakeLayout.Entry> silverFiles, String contentHash) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", dataset.name());
        root.put("version", config.version());
        root.put("generated_at", config.asOf().toString());
        root.put("code_version", codeVersion);
        root.put("content_hash", contentHash);
        root.put("content_hash_algorithm", ContentHash.ALGORITHM);
        try {
            root.set("schema", JSON.readTree(dataset.schema().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode rows = root.putObject("row_counts");
        rows.put("train", counts.trainRows());
        rows.put("test", counts.testRows());
        rows.put("purged", counts.purgedRows());
        ObjectNode minimum = root.putObject("minimum_rows");
        minimum.put("train", config.minTrainRows());
        minimum.put("test", config.minTestRows());
        dataset.describe(root, counts, config);
        ObjectNode split = root.putObject("split");
        split.put("method", "time");
        split.put("test_fraction", config.testFraction());
        split.put("cutoff", cutoff.toString());
        split.put("train", "triggered_at < cutoff and outcome known before cutoff");
        split.put("test", "triggered_at >= cutoff");
        ObjectNode source = root.putObject("source_silver");
        source.put("uri", silverUri);
        ContentHash filesHash = new ContentHash();
        ArrayNode files = source.putArray("files");
        for (LakeLayout.Entry file : silverFiles) {
            files.addObject().put("path", file.path()).put("size", file.size());
            filesHash.add("file", List.of(file.path(), file.size()));
        }
        source.put("files_hash", filesHash.hex());
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The features used, those omitted with the reason, and the labels, as every set's manifest lists them. */
    static void putFeaturesAndLabels(ObjectNode root, List<String> used, List<String[]> omitted, List<String> labels) {
        ObjectNode features = root.putObject("features");
        ArrayNode usedNode = features.putArray("used");
        used.forEach(usedNode::add);
        ArrayNode omittedNode = features.putArray("omitted");
        for (String[] feature : omitted) {
            omittedNode.addObject().put("name", feature[0]).put("reason", feature[1]);
        }
        ArrayNode labelsNode = root.putArray("labels");
        labels.forEach(labelsNode::add);
    }

    static ObjectNode balanceOf(String label, long positives, long total) {
        ObjectNode node = JSON.createObjectNode();
        node.put("positives", positives);
        node.put("total", total);
        node.put(label + "_ratio", LabelBalance.ratio(positives, total));
        return node;
    }

    public static Optional<String> contentHash(String manifestJson) {
        return text(manifestJson, "content_hash");
    }

    public static Optional<String> contentHashAlgorithm(String manifestJson) {
        return text(manifestJson, "content_hash_algorithm");
    }

    private static Optional<String> text(String manifestJson, String field) {
        try {
            JsonNode value = JSON.readTree(manifestJson).get(field);
            return value == null ? Optional.empty() : Optional.of(value.asText());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The jar's Implementation-Version, else the Maven project version baked in at build time. */
    public static String codeVersion() {
        String fromJar = GoldManifest.class.getPackage().getImplementationVersion();
        if (fromJar != null) {
            return fromJar;
        }
        try (InputStream in = GoldManifest.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
