package io.deepstorage.spark.testkit;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.LakeEndpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real S3 server and one local SparkSession (talking s3a to it) for every test in the JVM. Each test gets
 * its own lake prefix in the shared bucket ({@link #newLake}) so tests never see each other's data.
 */
public final class SparkLake implements ExtensionContext.Store.CloseableResource {
    public static final String BUCKET = "lake";

    private final Path root;
    private final EmbeddedS3 s3;
    private final SparkSession spark;

    SparkLake() {
        try {
            root = Files.createTempDirectory("spark-lake-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create a temp dir", e);
        }
        s3 = EmbeddedS3.start(root.resolve("s3"), BUCKET);
        LakeConfig lake = LakeConfig.from(CommandLine.parse(new String[0], env(), LakeConfig.OPTIONS));
        spark = LakeSpark.session(lake, "shared-test-session");
    }

    public SparkSession spark() { return spark; }

    public EmbeddedS3 s3() { return s3; }

    /** The environment a job launched against this lake would see (endpoint, bucket, keys, local master). */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("S3_ENDPOINT", s3.endpoint());
        env.put("S3_BUCKET", BUCKET);
        env.put(LakeEndpoint.ACCESS_KEY_ENV, s3.accessKey());
        env.put(LakeEndpoint.SECRET_KEY_ENV, s3.secretKey());
        env.put("SPARK_MASTER", "local[2]");
        return env;
    }

    /** A fresh, empty lake root ({@code s3a://lake/<name>-<uuid>}) for one test. */
    public String newLake(String name) {
        return "s3a://" + BUCKET + "/" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The folder on disk holding the objects under a lake URI from {@link #newLake}. */
    public Path localDir(String lakeUri) {
        return s3.bucketDir().resolve(lakeUri.substring(("s3a://" + BUCKET + "/").length()));
    }

    /** {@code --lake <lakeUri>} followed by {@code more}. */
    public static String[] args(String lakeUri, String... more) {
        List<String> args = new ArrayList<>(List.of("--lake", lakeUri));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    @Override
    public void close() {
        spark.stop();
        s3.close();
    }
}
