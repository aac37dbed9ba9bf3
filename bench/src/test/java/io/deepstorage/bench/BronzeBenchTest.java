package io.deepstorage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BronzeBenchTest {
    @Test
    void listsOnlyCommittedBronzeParts(@TempDir Path bucket) throws Exception {
        assertThat(BronzeBench.committedParts(bucket)).isEmpty();
        Path day = Files.createDirectories(bucket.resolve("bronze/events/date=2026-11-20"));
        Path part = Files.createFile(day.resolve("part-1-0.parquet"));
        Files.createFile(day.resolve(".part-1-1.parquet.inprogress"));
        Files.createFile(day.resolve("part-1-2.crc"));
        Files.createFile(Files.createDirectories(day.resolve("_temporary")).resolve("part-9.parquet"));
        Files.createFile(Files.createDirectories(bucket.resolve("bronze/_dlq/date=2026-11-20")).resolve("part-2-0.parquet"));
        assertThat(BronzeBench.committedParts(bucket)).containsExactly(part);
    }
}
