package io.deepstorage.spark;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the lake is and how to reach it: the lake root and the Spark master here, the object store (bucket,
 * endpoint, keys) from job-cli's {@link LakeEndpoint}. Validated at start so a bad setting fails before Spark starts.
 * Credentials never appear in {@link #toString()}.
 */
public final class LakeConfig {
    public static final List<OptionSpec> OPTIONS = options();

    private final String lakeUri;
    private final LakeEndpoint endpoint;
    private final String master;

    private LakeConfig(String lakeUri, LakeEndpoint endpoint, String master) {
        this.lakeUri = lakeUri;
        this.endpoint = endpoint;
        this.master = master;
    }

    private static List<OptionSpec> options() {
        List<OptionSpec> options = new ArrayList<>(LakeEndpoint.OPTIONS);
        options.add(OptionSpec.value("lake", "LAKE_URI", null, "lake root: s3a://<bucket>[/prefix] or file:/path; default s3a://<bucket>"));
        options.add(OptionSpec.value("master", "SPARK_MASTER", "local[*]",
                "Spark master, used only when spark.master is not already set (e.g. by spark-submit)"));
        return List.copyOf(options);
    }

    /** From parsed options ({@link #OPTIONS} among them). An s3a lake requires the endpoint and its keys. */
    public static LakeConfig from(CommandLine cli) {
        LakeEndpoint endpoint = LakeEndpoint.from(cli);
        String master = cli.get("master").orElse("local[*]");
        String lake = cli.get("lake").orElse(null);
        if (lake == null) {
            if (endpoint.bucket().isEmpty()) {
                throw new SettingException(cli.spec("bucket").label() + " is required (or give " + cli.spec("lake").label() + ")");
            }
            lake = "s3a://" + endpoint.bucket().get();
        }
        URI lakeUri = parseUri(cli, lake);
        String scheme = lakeUri.getScheme();
        if ("file".equals(scheme)) {
            return new LakeConfig(stripTrailingSlash(lake), endpoint, master);
        }
        if (!"s3a".equals(scheme)) {
            throw cli.bad("lake", "must be an s3a:// or file: URI, got '" + lake + "'");
        }
        if (lakeUri.getHost() == null) {
            throw cli.bad("lake", "must name a bucket, e.g. s3a://rbs, got '" + lake + "'");
        }
        if (endpoint.endpoint().isEmpty()) {
            throw new SettingException(cli.spec("s3-endpoint").label() + " is required");
        }
        return new LakeConfig(stripTrailingSlash(lake), endpoint, master);
    }

    private static URI parseUri(CommandLine cli, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw cli.bad("lake", "is not a valid URI: '" + value + "'");
        }
    }

    private static String stripTrailingSlash(String value) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    public boolean isS3() { return lakeUri.startsWith("s3a:"); }

    /** The lake root without a trailing slash. */
    public String lakeUri() { return lakeUri; }

    /** {@code <lake>/<relative path>} */
    public String resolve(String relativePath) { return lakeUri + "/" + relativePath; }

    /** The object store; its settings apply only to an s3a lake. */
    public LakeEndpoint endpoint() { return endpoint; }

    /** Hadoop's {@code fs.s3a.*} settings for an s3a lake (keys included); empty for a file lake. */
    public Map<String, String> hadoopSettings() {
        return isS3() ? endpoint.hadoopSettings() : Map.of();
    }

    public String master() { return master; }

    @Override
    public String toString() {
        return "LakeConfig{lake=" + lakeUri + (isS3() ? ", " + endpoint : "") + ", master=" + master + "}";
    }
}
