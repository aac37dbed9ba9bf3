package io.deepstorage.gold;

import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.spark.JobFailedException;
import org.apache.avro.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * gold slippage_prediction: how far an executed stop's fill slipped, from what was known when it triggered
 * ({@link SlippageExampleBuilder}, {@link SlippageFeatures}). Refused when a split's slippage is the same
 * everywhere: nothing to learn.
 */
final class SlippagePredictionDataset implements GoldDataset {
    private static final long serialVersionUID = 1L;
    static final String NAME = "slippage_prediction";

    @Override public String name() { return NAME; }

    @Override public Schema schema() { return Schemas.slippagePredictionExample(); }

    @Override public String countedLabel() { return "slippage_breach"; }

    /** The candidates that executed with a fill and a slippage before as-of ({@link SlippageExampleBuilder#isExample}). */
    @Override
    public Example example(SilverOperation op, Row candidate, GoldJob.CandidateColumns columns, String version, Instant asOf) {
        if (!SlippageExampleBuilder.isExample(op, candidate.getBoolean(columns.hasFillPrice()), asOf)) {
            return null;
        }
        return new Example(SlippageExampleBuilder.build(op,
                candidate.getDecimal(columns.quantity()),
                candidate.getString(columns.side()),
                GoldJob.CandidateColumns.doubleOrNull(candidate, columns.volatility15m()),
                GoldJob.CandidateColumns.doubleOrNull(candidate, columns.triggerPriceChange15mPct()),
                GoldJob.CandidateColumns.doubleOrNull(candidate, columns.clientSlippageMean24h()),
                GoldJob.CandidateColumns.doubleOrNull(candidate, columns.clientFailureRate24h()),
                version, asOf), op.executedAt());
    }

    /** Every slippage_pct of a split equal: a model would learn a constant. */
    @Override
    public void gate(Dataset<Row> split, GoldManifest.SplitCounts counts, GoldConfig config) {
        Map<String, double[]> range = new HashMap<>();
        for (Row r : split.groupBy("split").agg(min("slippage_pct"), max("slippage_pct")).collectAsList()) {
            range.put(r.getString(0), new double[] {r.getDouble(1), r.getDouble(2)});
        }
        for (TimeSplit.Split s : List.of(TimeSplit.Split.TRAIN, TimeSplit.Split.TEST)) {
            double[] minMax = range.get(s.name());
            if (minMax != null && minMax[0] == minMax[1]) {
                throw new JobFailedException(String.format(java.util.Locale.ROOT,
                        "%s: every slippage_pct label of %s is %s: nothing to learn", NAME, s.name().toLowerCase(java.util.Locale.ROOT),
                        BigDecimal.valueOf(minMax[0]).stripTrailingZeros().toPlainString()));
            }
        }
    }

    @Override
    public void describe(ObjectNode root, GoldManifest.SplitCounts counts, GoldConfig config) {
        root.put("selection", "silver operations with status " + SilverStatus.EXECUTED + ", a trigger time, a fill price and a "
                + "slippage, executed before generated_at. FAILED and BLOCKED stops have no fill, so no slippage to learn.");
        ObjectNode balance = root.putObject("label_balance");
        balance.put("label", "slippage_breach");
        balance.put("rule", "refused when every slippage_pct of train or of test is the same value");
        balance.set("train", GoldManifest.balanceOf("slippage_breach", counts.trainPositives(), counts.trainRows()));
        balance.set("test", GoldManifest.balanceOf("slippage_breach", counts.testPositives(), counts.testRows()));
        GoldManifest.putFeaturesAndLabels(root, SlippageExampleBuilder.FEATURES, SlippageExampleBuilder.OMITTED_FEATURES, SlippageExampleBuilder.LABELS);
    }
}
