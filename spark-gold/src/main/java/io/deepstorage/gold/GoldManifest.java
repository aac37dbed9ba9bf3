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
import io.deepstorage.schemas.Schemas;

/** The _manifest.json of one training-set version. Written last: a version without it is not committed. */
public final class GoldManifest {
    public static final String FILE_NAME = "_manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GoldManifest() {}

    public record SplitCounts(long trainRows, long trainPositives, long testRows, long testPositives, long purgedRows) {}

    public static String toJson(String name, GoldConfig config, String codeVersion, Instant cutoff, SplitCounts counts,
                                String silverUri, List<LakeLayout.Entry> silverFiles, String contentHash) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("version", config.version());
        root.put("generated_at", config.asOf().toString());
        root.put("code_version", codeVersion);
        root.put("content_hash", contentHash);
        root.put("content_hash_algorithm", "sha-256 over rows sorted by split then operation_id, values in schema order");
        root.put("selection", "silver operations with status EXECUTED or FAILED and a trigger time (triggered_at, or for a "
                + "failed attempt whose trigger was rolled back with it, the operation's first event) whose outcome "
                + "(executed_at/failed_at) is before generated_at. BLOCKED is excluded: a guard stopped the order before "
                + "the exchange, so it is no execution outcome; PENDING/SUBMITTED have no outcome yet.");
        try {
            root.set("schema", JSON.readTree(Schemas.stopOutcomeExample().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode rows = root.putObject("row_counts");
        rows.put("train", counts.trainRows());
        rows.put("test", counts.testRows());
        rows.put("purged", counts.purgedRows());
        ObjectNode balance = root.putObject("label_balance");
        balance.put("label", "execution_success");
        balance.put("min_ratio", LabelBalance.MIN_RATIO);
        balance.put("max_ratio", LabelBalance.MAX_RATIO);
        balance.set("train", balanceOf(counts.trainPositives(), counts.trainRows()));
        balance.set("test", balanceOf(counts.testPositives(), counts.testRows()));
        ObjectNode features = root.putObject("features");
        ArrayNode used = features.putArray("used");
        ExampleBuilder.FEATURES.forEach(used::add);
        ArrayNode omitted = features.putArray("omitted");
        for (String[] feature : ExampleBuilder.OMITTED_FEATURES) {
            omitted.addObject().put("name", feature[0]).put("reason", feature[1]);
        }
        ArrayNode labels = root.putArray("labels");
        ExampleBuilder.LABELS.forEach(labels::add);
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

    private static ObjectNode balanceOf(long positives, long total) {
        ObjectNode node = JSON.createObjectNode();
        node.put("positives", positives);
        node.put("total", total);
        node.put("execution_success_ratio", LabelBalance.ratio(positives, total));
        return node;
    }

    public static Optional<String> contentHash(String manifestJson) {
        try {
            JsonNode hash = JSON.readTree(manifestJson).get("content_hash");
            return hash == null ? Optional.empty() : Optional.of(hash.asText());
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
