package io.deepstorage.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 HTTP server (S3Proxy) on 127.0.0.1 with a filesystem backend: the bucket is also a folder on disk
 * ({@link #bucketDir()}) that a person or another engine can look at. Clients must use path-style access.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String DEFAULT_ACCESS_KEY = "local-access-key";
    public static final String DEFAULT_SECRET_KEY = "local-secret-key";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final Path rootDir;
    private final String bucket;
    private final String accessKey;
    private final String secretKey;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, Path rootDir, String bucket, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.context = context;
        this.rootDir = rootDir;
        this.bucket = bucket;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts a server on a free port whose buckets live under {@code rootDir}, and creates {@code bucket}. */
    public static EmbeddedS3 start(Path rootDir, String bucket) {
        return start(rootDir, bucket, 0, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
    }

    public static EmbeddedS3 start(Path rootDir, String bucket, int port, String accessKey, String secretKey) {
        try {
            Files.createDirectories(rootDir);
            Properties properties = new Properties();
            properties.setProperty("jclouds.filesystem.basedir", rootDir.toAbsolutePath().toString());
            BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                    .overrides(properties)
                    .build(BlobStoreContext.class);
            BlobStore blobStore = context.getBlobStore();
            blobStore.createContainerInLocation(null, bucket);
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(blobStore)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    .build();
            proxy.start();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (!proxy.getState().equals("STARTED")) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
                }
                Thread.sleep(20);
            }
            return new EmbeddedS3(proxy, context, rootDir, bucket, accessKey, secretKey);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the S3 root folder " + rootDir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded S3 server: " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>} */
    public String endpoint() { return "http://127.0.0.1:" + proxy.getPort(); }

    public int port() { return proxy.getPort(); }

    public String bucket() { return bucket; }

    public String accessKey() { return accessKey; }

    public String secretKey() { return secretKey; }

    /** The folder holding the bucket's objects: key {@code a/b/c} is file {@code bucketDir()/a/b/c}. */
    public Path bucketDir() { return rootDir.resolve(bucket); }

    /** The jclouds view of the same store, for test set-up that needs no HTTP. */
    public BlobStore blobStore() { return context.getBlobStore(); }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the embedded S3 server", e);
        } finally {
            context.close();
        }
    }
}
