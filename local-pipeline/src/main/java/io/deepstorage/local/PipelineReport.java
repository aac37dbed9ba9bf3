package io.deepstorage.local;

import java.time.Duration;
import java.util.Map;

/** The table the local run prints at the end. */
final class PipelineReport {
    private PipelineReport() {}

    static String table(LocalPipeline.Report report, Duration total) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-8s %12s %12s %12s %12s %8s %10s%n", "step", "rows in", "rows out", "duplicates",
                "dead letters", "files", "seconds"));
        for (Map.Entry<String, JobSummary> e : report.jobs().entrySet()) {
            JobSummary s = e.getValue();
            b.append(String.format("%-8s %,12d %,12d %12s %12s %8d %10.1f%n", e.getKey(), s.count("rows_in"),
                    s.count("rows_out"), orDash(s, "duplicates_dropped"), orDash(s, "dead_letters"),
                    s.count("files_written"), s.seconds()));
        }
        JobSummary gold = report.jobs().get("gold");
        if (gold != null) {
            b.append(String.format("gold: stop_outcome v%s, train %s rows, test %s rows (%s purged at the split), content hash %s%n",
                    gold.get("version"), gold.get("train_rows"), gold.get("test_rows"), gold.get("purged_rows"),
                    gold.get("content_hash")));
        }
        JobSummary bronze = report.jobs().get("bronze");
        if (bronze != null) {
            b.append(String.format("bronze: %s outbox deletes counted, %s updates kept as new versions%n",
                    bronze.get("deletes"), bronze.get("updates")));
        }
        b.append(String.format("total %.1f s; lake: %s%n", total.toMillis() / 1000.0,
                report.lakeDir() != null ? report.lakeDir() : report.s3Endpoint() + "/" + report.bucket()));
        return b.toString();
    }

    private static String orDash(JobSummary s, String key) {
        return s.get(key) == null ? "-" : String.format("%,d", s.count(key));
    }
}
