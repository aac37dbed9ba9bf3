package io.deepstorage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobReportTest {

    @Test
    void aSummaryIsOneLineOfJsonThatParsesBackToTheSameValues() {
        JobReport report = JobReport.start("silver").put(JobReport.ROWS_IN, 10L).put(JobReport.ROWS_OUT, 4L)
                .put("partitions_replaced", 2).put("note", "a \"quoted\"\nvalue").summary();
        String line = report.line();
        assertThat(line).startsWith("SUMMARY {\"job\":\"silver\"").doesNotContain("\n");
        JobReport back = JobReport.parse(line).orElseThrow();
        assertThat(back.kind()).isEqualTo(JobReport.Kind.SUMMARY);
        assertThat(back.job()).isEqualTo("silver");
        assertThat(back.rowsIn()).isEqualTo(10);
        assertThat(back.rowsOut()).isEqualTo(4);
        assertThat(back.filesWritten()).isZero();
        assertThat(back.count("partitions_replaced")).isEqualTo(2);
        assertThat(back.text("note")).isEqualTo("a \"quoted\"\nvalue");
        assertThat(back.has(JobReport.SECONDS)).isTrue();
    }

    @Test
    void caughtUpReportsHaveTheirOwnPrefixAndOtherLinesAreNoReports() {
        String line = JobReport.start("bronze").report(JobReport.Kind.CAUGHT_UP).line();
        assertThat(line).startsWith("CAUGHT_UP {");
        assertThat(JobReport.parse(line).orElseThrow().kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
        assertThat(JobReport.parse("INFO something SUMMARY {}")).isEmpty();
        assertThat(JobReport.isReport("SUMMARY {}")).isTrue();
        assertThatThrownBy(() -> JobReport.parse("SUMMARY {not json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCountThatIsNotANumberIsAnError() {
        JobReport report = JobReport.start("gold").put("version", "1.0.0").summary();
        assertThatThrownBy(() -> report.count("version")).hasMessageContaining("version");
        assertThat(report.count("absent")).isZero();
    }
}
