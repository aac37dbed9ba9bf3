package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class JobSummaryTest {
    @Test
    void the_summary_is_one_line_with_the_prefix_and_the_contract_keys() {
        String line = JobSummary.start("silver").put("rows_in", 12L).put("rows_out", 3L).put("partitions", 2).line();
        assertThat(line).startsWith("SUMMARY {").doesNotContain("\n");
        Map<String, Object> parsed = JobSummary.parse(line);
        assertThat(parsed).containsEntry("job", "silver").containsEntry("rows_in", 12).containsEntry("rows_out", 3)
                .containsEntry("files_written", 0).containsEntry("partitions", 2).containsKey("seconds");
    }
}
