package io.deepstorage.local;

import java.nio.file.Path;
import java.sql.Connection;

import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;

/** The embedded outbox database (its schema created) and S3 server that a test class runs its commands against. */
record OutboxAndLake(EmbeddedPostgres postgres, EmbeddedS3 s3) implements AutoCloseable {
    static OutboxAndLake start(Path lakeDir, String bucket) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.start("outbox");
        try (Connection c = postgres.connect()) {
            OutboxSchema.create(c);
        }
        return new OutboxAndLake(postgres, EmbeddedS3.start(lakeDir, bucket));
    }

    @Override
    public void close() {
        s3.close();
        postgres.close();
    }
}
