package io.deepstorage.spark;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the lake is and how to reach it. Validated at start so a bad setting fails before Spark starts.
 * Credentials come only from the environment or mounted files, never from arguments, and never appear in
 * {@link #toString()}.
 */
public final class LakeConfig {
    public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("s3-endpoint", "S3_ENDPOINT", null,
                    "S3 endpoint URL, e.g. https://eu2.contabostorage.com (required for an s3a lake)"),
            OptionSpec.value("bucket", "S3_BUCKET", null, "lake bucket (required unless --lake is given)"),
            OptionSpec.value("s3-access-key-file", "S3_ACCESS_KEY_FILE", null,
                    "file holding the access key (else env " + ACCESS_KEY_ENV + ")"),
            OptionSpec.value("s3-secret-key-file", "S3_SECRET_KEY_FILE", null,
                    "file holding the secret key (else env " + SECRET_KEY_ENV + ")"),
            OptionSpec.value("path-style", "S3_PATH_STYLE", "true", "path-style S3 access (true/false)"),
            OptionSpec.value("lake", "LAKE_URI", null, "lake root: s3a://<bucket>[/prefix] or file:/path; default s3a://<bucket>"),
            OptionSpec.value("master", "SPARK_MASTER", "local[*]",
                    "Spark master, used only when spark.master is not already set (e.g. by spark-submit)"));

    private final String lakeUri;
    private final String endpoint;
    private final String bucket;
    private final String accessKey;
    private final String secretKey;
    private final boolean pathStyle;
    private final String master;

    private LakeConfig(String lakeUri, String endpoint, String bucket, String accessKey, String secretKey,
                       boolean pathStyle, String master) {
        this.lakeUri = lakeUri;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.pathStyle = pathStyle;
        this.master = master;
    }

    public static LakeConfig from(CommandLine cli, Map<String, String> env) {
        boolean pathStyle = cli.bool("path-style");
        String master = cli.get("master").orElse("local[*]");
        String bucket = cli.get("bucket").orElse(null);
        String lake = cli.get("lake").orElse(null);
        if (lake == null) {
            if (bucket == null) {
                throw new SettingException(cli.spec("bucket").label() + " is required (or give " + cli.spec("lake").label() + ")");
            }
            lake = "s3a://" + bucket;
        }
        URI lakeUri = parseUri(cli.spec("lake"), lake);
        String scheme = lakeUri.getScheme();
        if ("file".equals(scheme)) {
            return new LakeConfig(stripTrailingSlash(lake), null, bucket, null, null, pathStyle, master);
        }
        if (!"s3a".equals(scheme)) {
            throw new SettingException(cli.spec("lake").label() + " must be an s3a:// or file: URI, got '" + lake + "'");
        }
        if (lakeUri.getHost() == null) {
            throw new SettingException(cli.spec("lake").label() + " must name a bucket, e.g. s3a://rbs, got '" + lake + "'");
        }
        String endpoint = cli.required("s3-endpoint");
        URI endpointUri = parseUri(cli.spec("s3-endpoint"), endpoint);
        if (!("http".equals(endpointUri.getScheme()) || "https".equals(endpointUri.getScheme())) || endpointUri.getHost() == null) {
            throw new SettingException(cli.spec("s3-endpoint").label() + " must be an http:// or https:// URL, got '" + endpoint + "'");
        }
        String accessKey = secret(cli, "s3-access-key-file", env, ACCESS_KEY_ENV);
        String secretKey = secret(cli, "s3-secret-key-file", env, SECRET_KEY_ENV);
        return new LakeConfig(stripTrailingSlash(lake), stripTrailingSlash(endpoint),
                bucket == null ? lakeUri.getHost() : bucket, accessKey, secretKey, pathStyle, master);
    }

    private static String secret(CommandLine cli, String fileOption, Map<String, String> env, String envVar) {
        var file = cli.get(fileOption);
        if (file.isPresent()) {
            try {
                String value = Files.readString(Path.of(file.get())).trim();
                if (value.isEmpty()) {
                    throw new SettingException(cli.spec(fileOption).label() + " points to an empty file: " + file.get());
                }
                return value;
            } catch (IOException e) {
                throw new SettingException(cli.spec(fileOption).label() + " cannot be read: " + file.get());
            }
        }
        String value = env.get(envVar);
        if (value == null || value.isBlank()) {
            throw new SettingException(envVar + " (or " + cli.spec(fileOption).label() + ") is required for an s3a lake");
        }
        return value.trim();
    }

    private static URI parseUri(OptionSpec spec, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new SettingException(spec.label() + " is not a valid URI: '" + value + "'");
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

    public String endpoint() { return endpoint; }

    public String bucket() { return bucket; }

    public String accessKey() { return accessKey; }

    public String secretKey() { return secretKey; }

    public boolean pathStyle() { return pathStyle; }

    public String master() { return master; }

    @Override
    public String toString() {
        return "LakeConfig{lake=" + lakeUri + (isS3() ? ", endpoint=" + endpoint + ", pathStyle=" + pathStyle : "")
                + ", master=" + master + "}";
    }
}
