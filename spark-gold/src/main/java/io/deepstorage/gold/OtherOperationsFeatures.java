package io.deepstorage.gold;

import static org.apache.spark.sql.functions.col;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The features that look at other operations ({@link WindowFeatures}, {@link SlippageFeatures}), for every
 * example of every set in one pass per symbol and one per client: both sets need the symbol's volatility and the
 * client's outcomes, and each pass reads the group's history once.
 *
 * <p>Per group, not a Spark window: the features leave the operation itself out and look at the 24 hours of a
 * client's fills (thousands of rows per window), and Spark recomputes a sliding frame's aggregate over the whole
 * frame for every row; the pure functions work on the group's sorted history with running sums, O(n log n). Only
 * the columns the windows read go into the groups.
 */
final class OtherOperationsFeatures {
    /** What a window reads of an operation: its id, keys, outcome times, trigger price and slippage. */
    private static final Column[] HISTORY_COLUMNS = {col("operation_id"), col("client_id"), col("symbol"), col("status"),
            col("triggered_at"), col("executed_at"), col("failed_at"), col("trigger_price"), col("slippage_pct")};
    static final StructType SYMBOL_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false)
            .add("volatility_15m", DataTypes.DoubleType, true)
            .add("trigger_price_change_15m_pct", DataTypes.DoubleType, true);
    static final StructType CLIENT_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false)
            .add("consecutive_failures_1h", DataTypes.IntegerType, false)
            .add("client_slippage_mean_24h", DataTypes.DoubleType, true)
            .add("client_failure_rate_24h", DataTypes.DoubleType, true);

    private OtherOperationsFeatures() {}

    /** What the windows read of silver ({@link GoldJob#readSilver}'s): both passes group these rows. */
    static Dataset<Row> history(Dataset<Row> silver) {
        return silver.select(HISTORY_COLUMNS);
    }

    /**
     * Silver's operations that are examples as of {@code asOf} ({@link SilverOperation#isExampleAsOf}), each with
     * the five features of {@link #SYMBOL_ROW} and {@link #CLIENT_ROW}; {@code silver} is {@link GoldJob#readSilver}'s
     * and {@code history} its {@link #history} (cached by the caller: both passes read it, and the lake once is enough).
     */
    static Dataset<Row> withFeatures(Dataset<Row> silver, Dataset<Row> history, Instant asOf) {
        StructType historyRow = history.schema();
        // groupBy(...).as(...) groups on the column itself: no deserialised key function before the shuffle.
        Dataset<Row> bySymbol = history.groupBy(col("symbol")).as(Encoders.STRING(), Encoders.row(historyRow))
                .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (symbol, rows) -> symbolFeatures(operations(rows), asOf),
                        Encoders.row(SYMBOL_ROW));
        Dataset<Row> byClient = history.groupBy(col("client_id")).as(Encoders.LONG(), Encoders.row(historyRow))
                .flatMapGroups((FlatMapGroupsFunction<Long, Row, Row>) (client, rows) -> clientFeatures(operations(rows), asOf),
                        Encoders.row(CLIENT_ROW));
        // The narrow feature rows meet first, so silver's wide rows are shuffled for one join, not two.
        return silver.join(bySymbol.join(byClient, "operation_id"), "operation_id");
    }

    static Iterator<Row> symbolFeatures(List<SilverOperation> sameSymbol, Instant asOf) {
        Map<Long, Double> volatility = WindowFeatures.volatility15m(sameSymbol, asOf);
        Map<Long, Double> change = SlippageFeatures.triggerPriceChange15m(sameSymbol, asOf);
        List<Row> out = new ArrayList<>(volatility.size());
        volatility.forEach((id, v) -> out.add(RowFactory.create(id, v, change.get(id))));
        return out.iterator();
    }

    static Iterator<Row> clientFeatures(List<SilverOperation> sameClient, Instant asOf) {
        Map<Long, Integer> failures = WindowFeatures.consecutiveFailures1h(sameClient, asOf);
        Map<Long, Double> slippage = SlippageFeatures.clientSlippageMean24h(sameClient, asOf);
        Map<Long, Double> failureRate = SlippageFeatures.clientFailureRate24h(sameClient, asOf);
        List<Row> out = new ArrayList<>(failures.size());
        failures.forEach((id, f) -> out.add(RowFactory.create(id, f, slippage.get(id), failureRate.get(id))));
        return out.iterator();
    }

    /** The history rows as operations; what the windows do not read (prices but the trigger's, event ids) is left null. */
    private static List<SilverOperation> operations(Iterator<Row> rows) {
        List<SilverOperation> ops = new ArrayList<>();
        rows.forEachRemaining(r -> ops.add(new SilverOperation(
                r.getLong(0), r.getLong(1), r.getString(2), r.getString(3), r.<Instant>getAs(4), r.<Instant>getAs(5),
                r.<Instant>getAs(6), r.<BigDecimal>getAs(7), null, null, r.<BigDecimal>getAs(8), null)));
        return ops;
    }
}
