package io.deepstorage.gold;

import java.io.Serializable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One gold training set: which silver operations become examples and how, which boolean label the manifest
 * counts per split, and the gate a split must pass. The job does the rest the same way for every set: the time
 * split with purge, the content hash, the version rules, the files and the manifest.
 */
interface GoldDataset extends Serializable {
    /** The directory under gold/training_sets/ and the manifest's name. */
    String name();

    /** The example rows' Avro schema: the columns written, in order. */
    Schema schema();

    /**
     * The examples as rows of {@link #schema()} plus {@code outcome_at} (when the outcome became final; the split
     * purges train rows whose outcome lands after the cutoff). The candidates are {@link GoldJob#readSilver}'s rows
     * of the operations that are examples as of as-of, with the features that look at other operations
     * ({@link OtherOperationsFeatures#withFeatures}); a set keeps those it learns from.
     */
    Dataset<Row> examples(Dataset<Row> candidates, GoldConfig config);

    /** The boolean label counted as positives per split (label balance in the manifest). */
    String countedLabel();

    /** Refuses a split that should not be written; throws a one-line JobFailedException. */
    void gate(Dataset<Row> split, GoldManifest.SplitCounts counts, GoldConfig config);

    /** The selection rule, the features used and omitted (with reasons), the labels and the gate, for the manifest. */
    void describe(ObjectNode manifest, GoldManifest.SplitCounts counts, GoldConfig config);
}
