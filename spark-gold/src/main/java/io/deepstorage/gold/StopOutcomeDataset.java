package io.deepstorage.gold;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.StopOutcomeExample;
import org.apache.avro.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold stop_outcome: did a triggered stop execute, with its trigger-time features ({@link ExampleBuilder}). */
final class StopOutcomeDataset implements GoldDataset {
    private static final long serialVersionUID = 1L;
    static final String NAME = "stop_outcome";

    @Override public String name() { return NAME; }

    @Override public Schema schema() { return Schemas.stopOutcomeExample(); }

    @Override public String countedLabel() { return "execution_success"; }

    /** Every candidate is one: a finished, triggered operation, with every feature and label. */
    @Override
    public Example example(SilverOperation op, Row candidate, GoldJob.CandidateColumns columns, String version, Instant asOf) {
        StopOutcomeExample example = ExampleBuilder.build(op, GoldJob.CandidateColumns.doubleOrNull(candidate, columns.volatility15m()),
                candidate.getInt(columns.consecutiveFailures1h()), version, asOf);
        return new Example(example, op.outcomeAt());
    }

    @Override
    public void gate(Dataset<Row> split, GoldManifest.SplitCounts counts, GoldConfig config) {
        LabelBalance.check("train", counts.trainPositives(), counts.trainRows());
        LabelBalance.check("test", counts.testPositives(), counts.testRows());
    }

    @Override
    public void describe(ObjectNode root, GoldManifest.SplitCounts counts, GoldConfig config) {
        root.put("selection", "silver operations with status EXECUTED or FAILED and a trigger time (triggered_at, or for a "
                + "failed attempt whose trigger was rolled back with it, the operation's first event) whose outcome "
                + "(executed_at/failed_at) is before generated_at. BLOCKED is excluded: a guard stopped the order before "
                + "the exchange, so it is no execution outcome; PENDING/SUBMITTED have no outcome yet.");
        ObjectNode balance = root.putObject("label_balance");
        balance.put("label", "execution_success");
        balance.put("min_ratio", LabelBalance.MIN_RATIO);
        balance.put("max_ratio", LabelBalance.MAX_RATIO);
        balance.set("train", GoldManifest.balanceOf("execution_success", counts.trainPositives(), counts.trainRows()));
        balance.set("test", GoldManifest.balanceOf("execution_success", counts.testPositives(), counts.testRows()));
        GoldManifest.putFeaturesAndLabels(root, ExampleBuilder.FEATURES, ExampleBuilder.OMITTED_FEATURES, ExampleBuilder.LABELS);
    }
}
