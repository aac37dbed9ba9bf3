package io.deepstorage.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.unix_micros;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
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
    /**
     * What a window reads of an operation, in {@link #group}'s order: its id, keys, status, times as epoch micros
     * and the trigger price as a double (what the features compute with), and the slippage as a decimal (summed
     * exactly). Converted by Spark's generated code, so the groups arrive as longs and doubles, not Instants and
     * BigDecimals.
     */
    private static final Column[] HISTORY_COLUMNS = {col("operation_id"), col("client_id"), col("symbol"), col("status"),
            unix_micros(col("triggered_at")).as("triggered_at"), unix_micros(col("executed_at")).as("executed_at"),
            unix_micros(col("failed_at")).as("failed_at"), col("trigger_price").cast("double").as("trigger_price"),
            col("slippage_pct")};
    static final StructType SYMBOL_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false)
            .add("volatility_15m", DataTypes.DoubleType, true)
            .add("trigger_price_change_15m_pct", DataTypes.DoubleType, true);
    static final StructType CLIENT_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false)
            .add("consecutive_failures_1h", DataTypes.IntegerType, false)
            .add("client_slippage_mean_24h", DataTypes.DoubleType, true)
            .add("client_failure_rate_24h", DataTypes.DoubleType, true);

    /**
     * Up to this many silver operations the feature rows are broadcast to silver's rows instead of both sides being
     * shuffled for a join: silver's wide rows (event ids, decimals) then stay where they were read. The broadcast
     * tables cost heap: gold's peak heap used at 3.3M operations was 6.0 GiB of 6g with them against 5.2 GiB without
     * (two bench runs, an upper bound: ≈ 250 bytes per operation, docs/benchmarks.md), so about 1.2 GiB at this
     * limit; a larger silver is joined by shuffling, as before.
     */
    static final long BROADCAST_MAX_OPERATIONS = 5_000_000;

    private OtherOperationsFeatures() {}

    /** What the windows read of silver ({@link GoldJob#readSilver}'s): both passes group these rows. */
    static Dataset<Row> history(Dataset<Row> silver) {
        return silver.select(HISTORY_COLUMNS);
    }

    /**
     * Silver's operations that are examples as of {@code asOf} ({@link SilverOperation#isExampleAsOf}), each with
     * the five features of {@link #SYMBOL_ROW} and {@link #CLIENT_ROW}; {@code silver} is {@link GoldJob#readSilver}'s
     * and {@code history} its {@link #history} (cached by the caller: both passes read it, and the lake once is enough).
     * {@code broadcast}: join the features to silver by broadcasting them ({@link #BROADCAST_MAX_OPERATIONS}), else
     * by shuffling both; the rows are the same.
     */
    static Dataset<Row> withFeatures(Dataset<Row> silver, Dataset<Row> history, Instant asOf, boolean broadcast) {
        StructType historyRow = history.schema();
        long asOfMicros = GroupHistory.micros(asOf);
        // groupBy(...).as(...) groups on the column itself: no deserialised key function before the shuffle.
        Dataset<Row> bySymbol = history.groupBy(col("symbol")).as(Encoders.STRING(), Encoders.row(historyRow))
                .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (symbol, rows) -> symbolFeatures(group(rows), asOfMicros),
                        Encoders.row(SYMBOL_ROW));
        Dataset<Row> byClient = history.groupBy(col("client_id")).as(Encoders.LONG(), Encoders.row(historyRow))
                .flatMapGroups((FlatMapGroupsFunction<Long, Row, Row>) (client, rows) -> clientFeatures(group(rows), asOfMicros),
                        Encoders.row(CLIENT_ROW));
        if (broadcast) {
            return silver.join(functions.broadcast(bySymbol), "operation_id").join(functions.broadcast(byClient), "operation_id");
        }
        // The narrow feature rows meet first, so silver's wide rows are shuffled for one join, not two.
        return silver.join(bySymbol.join(byClient, "operation_id"), "operation_id");
    }

    /** The {@link #SYMBOL_ROW} of every example of one symbol's operations as of {@code asOf} (epoch micros). */
    static Iterator<Row> symbolFeatures(GroupHistory sameSymbol, long asOf) {
        WindowFeatures.PriceSeries prices = WindowFeatures.PriceSeries.of(sameSymbol, asOf);
        Double[] volatility = WindowFeatures.volatility15m(sameSymbol, prices, asOf);
        Double[] change = SlippageFeatures.triggerPriceChange15m(sameSymbol, prices, asOf);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < sameSymbol.size; i++) {
            if (sameSymbol.isExampleAsOf(i, asOf)) {
                out.add(RowFactory.create(sameSymbol.operationId[i], volatility[i], change[i]));
            }
        }
        return out.iterator();
    }

    /** The {@link #CLIENT_ROW} of every example of one client's operations as of {@code asOf} (epoch micros). */
    static Iterator<Row> clientFeatures(GroupHistory sameClient, long asOf) {
        int[] outcomes = WindowFeatures.outcomesBefore(sameClient, asOf);
        Integer[] failures = WindowFeatures.consecutiveFailures1h(sameClient, outcomes, asOf);
        Double[] slippage = SlippageFeatures.clientSlippageMean24h(sameClient, asOf);
        Double[] failureRate = SlippageFeatures.clientFailureRate24h(sameClient, outcomes, asOf);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < sameClient.size; i++) {
            if (sameClient.isExampleAsOf(i, asOf)) {
                out.add(RowFactory.create(sameClient.operationId[i], failures[i], slippage[i], failureRate[i]));
            }
        }
        return out.iterator();
    }

    /** One group's {@link #HISTORY_COLUMNS} rows as its columns. */
    private static GroupHistory group(Iterator<Row> rows) {
        GroupHistory.Builder group = new GroupHistory.Builder();
        while (rows.hasNext()) {
            Row r = rows.next();
            group.add(r.getLong(0), r.getString(3), micros(r, 4), micros(r, 5), micros(r, 6),
                    r.isNullAt(7) ? Double.NaN : r.getDouble(7), r.<BigDecimal>getAs(8));
        }
        return group.build();
    }

    private static long micros(Row r, int i) {
        return r.isNullAt(i) ? GroupHistory.NO_TIME : r.getLong(i);
    }
}
