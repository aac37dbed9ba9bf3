package io.deepstorage.local;

import io.deepstorage.cli.JobReport;

import java.time.Duration;
import java.util.Map;

/** The table the local run prints at the end. */
final class PipelineReport {
    private PipelineReport() {}

    static String table(LocalPipeline.Report report, Duration total) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-8s %12s %12s %12s %12s %8s %10s%n", "step", "rows in", "rows out", "duplicates",
                "dead letters", "files", "seconds"));
        for (Map.Entry<String, JobReport> e : report.jobs().entrySet()) {
            JobReport s = e.getValue();
            b.append(String.format("%-8s %,12d %,12d %12s %12s %8d %10.1f%n", e.getKey(), s.rowsIn(),
                    s.rowsOut(), orDash(s, "duplicates_dropped"), orDash(s, "dead_letters"),
                    s.filesWritten(), s.seconds()));
        }
        JobReport silver = report.jobs().get("silver");
        if (silver != null && silver.has("quarantined")) {
            StringBuilder rules = new StringBuilder();
            silver.values().forEach((key, value) -> {
                if (key.startsWith("rule_")) {
                    rules.append(rules.length() == 0 ? " (" : ", ").append(key.substring(5)).append(' ').append(value);
                }
            });
            b.append(String.format("silver: %s operations quarantined%s under silver/_quarantine/stop_executions%n",
                    silver.text("quarantined"), rules.length() == 0 ? "" : rules.append(')')));
        }
        JobReport gold = report.jobs().get("gold");
        if (gold != null) {
            b.append(String.format("gold: stop_outcome v%s, train %s rows, test %s rows (%s purged at the split), content hash %s%n",
                    gold.text("version"), gold.text("train_rows"), gold.text("test_rows"), gold.text("purged_rows"),
                    gold.text("content_hash")));
            b.append(String.format("gold: slippage_prediction v%s, train %s rows, test %s rows (%s purged at the split), content hash %s%n",
                    gold.text("version"), gold.text("slippage_prediction_train_rows"), gold.text("slippage_prediction_test_rows"),
                    gold.text("slippage_prediction_purged_rows"), gold.text("slippage_prediction_content_hash")));
        }
        JobReport bronze = report.jobs().get("bronze");
        if (bronze != null) {
            b.append(String.format("bronze: %s outbox deletes counted, %s updates kept as new versions%n",
                    bronze.text("deletes"), bronze.text("updates")));
        }
        b.append(String.format("total %.1f s; lake: %s%n", total.toMillis() / 1000.0,
                report.lakeDir() != null ? report.lakeDir() : report.s3Endpoint() + "/" + report.bucket()));
        return b.toString();
    }

    private static String orDash(JobReport s, String key) {
        return !s.has(key) ? "-" : String.format("%,d", s.count(key));
    }
}
