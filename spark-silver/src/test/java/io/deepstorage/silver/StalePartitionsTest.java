package io.deepstorage.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

class StalePartitionsTest {
    @Test
    void a_recomputed_partition_that_was_not_written_is_stale() {
        List<String> existing = List.of("client_id=1/date=2024-03-01", "client_id=1/date=2024-03-02", "client_id=2/date=2024-03-02");
        List<String> written = List.of("client_id=1/date=2024-03-01", "client_id=2/date=2024-03-02");
        assertThat(StalePartitions.find(existing, written, LocalDate.parse("2024-03-01"))).containsExactly("client_id=1/date=2024-03-02");
    }

    @Test
    void partitions_older_than_the_earliest_bronze_date_are_never_stale() {
        List<String> existing = List.of("client_id=1/date=2023-01-01", "client_id=1/date=2024-03-05");
        assertThat(StalePartitions.find(existing, List.of(), LocalDate.parse("2024-03-01"))).containsExactly("client_id=1/date=2024-03-05");
    }

    @Test
    void folders_that_are_not_date_partitions_are_left_alone() {
        assertThat(StalePartitions.find(List.of("client_id=1/date=garbage", "client_id=1/other=x"), List.of(), LocalDate.MIN)).isEmpty();
    }
}
