package io.deepstorage.cli;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the lake's object store is and how to reach it, for every engine: one option list, one secret rule, and
 * one set of S3A settings rendered as Flink's {@code s3.*} (the flink-s3-fs-hadoop plugin maps them onto
 * {@code fs.s3a.*}) or as Hadoop's {@code fs.s3a.*} (Spark, the readers in tests and tools).
 *
 * <p>The endpoint is optional: a Flink cluster configures {@code s3.*} itself and a Spark job may write to a
 * {@code file:} lake. When it is set, both keys are required. Keys never appear in {@link #toString()}.
 */
public final class LakeEndpoint implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("bucket", "S3_BUCKET", null, "bucket of the lake"),
            OptionSpec.value("s3-endpoint", "S3_ENDPOINT", null,
                    "S3 endpoint URL, e.g. https://eu2.contabostorage.com; TLS follows the scheme"),
            OptionSpec.value("path-style", "S3_PATH_STYLE", "true", "path-style S3 access (true/false)"),
            OptionSpec.value("s3-access-key-file", "S3_ACCESS_KEY_FILE", null,
                    "file holding the S3 access key; else env " + ACCESS_KEY_ENV),
            OptionSpec.value("s3-secret-key-file", "S3_SECRET_KEY_FILE", null,
                    "file holding the S3 secret key; else env " + SECRET_KEY_ENV));

    private static final String BUCKET_NAME = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

    private final String bucket;
    private final String endpoint;
    private final boolean pathStyle;
    private final String accessKey;
    private final String secretKey;

    private LakeEndpoint(String bucket, String endpoint, boolean pathStyle, String accessKey, String secretKey) {
        this.bucket = bucket;
        this.endpoint = endpoint;
        this.pathStyle = pathStyle;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** From parsed options ({@link #OPTIONS} among them). The bucket may be absent when a job names its lake otherwise. */
    public static LakeEndpoint from(CommandLine cli) {
        String bucket = cli.get("bucket").orElse(null);
        if (bucket != null && !bucket.matches(BUCKET_NAME)) {
            throw cli.bad("bucket", "must be a valid S3 bucket name, got '" + bucket + "'");
        }
        String endpoint = cli.get("s3-endpoint").map(LakeEndpoint::stripTrailingSlash).orElse(null);
        if (endpoint != null) {
            URI uri;
            try {
                uri = new URI(endpoint);
            } catch (URISyntaxException e) {
                throw cli.bad("s3-endpoint", "is not a valid URL: '" + endpoint + "'");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw cli.bad("s3-endpoint", "must be an http:// or https:// URL, got '" + endpoint + "'");
            }
        }
        boolean pathStyle = cli.bool("path-style");
        String accessKey = cli.secret("s3-access-key-file", ACCESS_KEY_ENV).orElse(null);
        String secretKey = cli.secret("s3-secret-key-file", SECRET_KEY_ENV).orElse(null);
        if (endpoint != null && accessKey == null) {
            throw new SettingException(ACCESS_KEY_ENV + " (or " + cli.spec("s3-access-key-file").label()
                    + ") is required with " + cli.spec("s3-endpoint").label());
        }
        if (endpoint != null && secretKey == null) {
            throw new SettingException(SECRET_KEY_ENV + " (or " + cli.spec("s3-secret-key-file").label()
                    + ") is required with " + cli.spec("s3-endpoint").label());
        }
        return new LakeEndpoint(bucket, endpoint, pathStyle, accessKey, secretKey);
    }

    /** The bucket, required by the caller. */
    public String bucket(CommandLine cli) {
        if (bucket == null) {
            throw new SettingException(cli.spec("bucket").label() + " is required");
        }
        return bucket;
    }

    public Optional<String> bucket() { return Optional.ofNullable(bucket); }

    public Optional<String> endpoint() { return Optional.ofNullable(endpoint); }

    public boolean pathStyle() { return pathStyle; }

    /**
     * The S3A settings without their prefix (endpoint, path.style.access, ...), keys included; empty when no
     * endpoint is set (the cluster's own configuration applies then).
     */
    public Map<String, String> s3aSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (endpoint == null) {
            return s;
        }
        s.put("endpoint", endpoint);
        s.put("path.style.access", Boolean.toString(pathStyle));
        s.put("connection.ssl.enabled", Boolean.toString(endpoint.startsWith("https:")));
        s.put("aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        s.put("access.key", accessKey);
        s.put("secret.key", secretKey);
        // Without it the FileSink committer hangs in S3A's fake-directory cleanup on some stores, and Spark's
        // committers pay for a delete per directory level.
        s.put("directory.marker.retention", "keep");
        return s;
    }

    /** As Hadoop configuration: {@code fs.s3a.*}. */
    public Map<String, String> hadoopSettings() {
        return prefixed("fs.s3a.");
    }

    /** As Flink configuration: {@code s3.*}, which the flink-s3-fs-hadoop plugin hands to S3A as {@code fs.s3a.*}. */
    public Map<String, String> flinkSettings() {
        return prefixed("s3.");
    }

    private Map<String, String> prefixed(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        s3aSettings().forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    private static String stripTrailingSlash(String value) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    @Override
    public String toString() {
        return "LakeEndpoint{bucket=" + bucket + ", endpoint=" + endpoint + ", pathStyle=" + pathStyle + " (keys hidden)}";
    }
}
