package io.deepstorage.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LakeLayoutTest {
    /** A folder tree as a listing: folder → entries. */
    static final Map<String, List<LakeLayout.Entry>> TREE = Map.of(
            "s3://l/bronze/events", List.of(dir("s3://l/bronze/events", "date=2024-03-02"), dir("s3://l/bronze/events", "date=2024-03-01"),
                    dir("s3://l/bronze/events", "_temporary"), dir("s3://l/bronze/events", ".spark-staging-1")),
            "s3://l/bronze/events/date=2024-03-01", List.of(file("s3://l/bronze/events/date=2024-03-01", "part-b.parquet"),
                    file("s3://l/bronze/events/date=2024-03-01", ".part-c.parquet.inprogress.1"),
                    file("s3://l/bronze/events/date=2024-03-01", "part-d.parquet.tmp")),
            "s3://l/bronze/events/date=2024-03-02", List.of(file("s3://l/bronze/events/date=2024-03-02", "part-a.parquet")),
            "s3://l/bronze/events/_temporary", List.of(file("s3://l/bronze/events/_temporary", "part-x.parquet")),
            "s3://l/bronze/events/.spark-staging-1", List.of(file("s3://l/bronze/events/.spark-staging-1", "part-y.parquet")));

    static LakeLayout.Entry dir(String parent, String name) {
        return new LakeLayout.Entry(parent + "/" + name, name, true, 0);
    }

    static LakeLayout.Entry file(String parent, String name) {
        return new LakeLayout.Entry(parent + "/" + name, name, false, 10);
    }

    @Test
    void onlyCommittedPartsOutsideHiddenFoldersAreListedSortedByPath() throws Exception {
        List<String> parts = LakeLayout.committedParts("s3://l/bronze/events", d -> TREE.getOrDefault(d, List.of()))
                .stream().map(LakeLayout.Entry::path).toList();
        assertThat(parts).containsExactly("s3://l/bronze/events/date=2024-03-01/part-b.parquet",
                "s3://l/bronze/events/date=2024-03-02/part-a.parquet");
    }

    @Test
    void theGlobMatchesThePartitionDepthOfEachLayer() {
        assertThat(LakeLayout.partGlob("s3a://rbs/bronze/events", 1)).isEqualTo("s3a://rbs/bronze/events/*/part*.parquet");
        assertThat(LakeLayout.partGlob("s3a://rbs/silver/stop_executions", 2)).isEqualTo("s3a://rbs/silver/stop_executions/*/*/part*.parquet");
        assertThat(LakeLayout.partGlob("s3a://rbs/gold/x/v1/train", 0)).isEqualTo("s3a://rbs/gold/x/v1/train/part*.parquet");
    }
}
