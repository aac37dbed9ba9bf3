package io.deepstorage.gold;

import java.io.Serializable;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deepstorage.spark.AvroRows;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

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
     * This set's example of one candidate: its {@link #schema()} record and when its outcome became final (the split
     * purges train rows whose outcome lands after the cutoff); null when the operation is not one this set learns from. A
     * candidate is one of {@link GoldJob#readSilver}'s rows of an operation that is an example as of as-of, with the
     * features that look at other operations ({@link OtherOperationsFeatures#withFeatures}), read through
     * {@code columns}; {@code op} is its {@link GoldJob#toOperation}. Every set's example of a candidate is built in
     * the same pass over the candidates.
     */
    Example example(SilverOperation op, Row candidate, GoldJob.CandidateColumns columns, String version, Instant asOf);

    /** An example's values, in {@link #schema()}'s columns, and when its outcome became final. */
    record Example(IndexedRecord record, Instant outcomeAt) {}

    /**
     * The struct of an example as the job keeps it: the set's columns, then outcome_at and the two content digests of
     * its values ({@link ContentHash.RowHasher#rowDigests} if it lands in train, and if it lands in test); neither is
     * written. Built from the schema on each call: the driver asks a few times per run.
     */
    default StructType exampleRow() {
        return AvroRows.structOf(schema(), DataTypes.createStructField("outcome_at", DataTypes.TimestampType, false),
                DataTypes.createStructField(TRAIN_DIGEST, DataTypes.BinaryType, false),
                DataTypes.createStructField(TEST_DIGEST, DataTypes.BinaryType, false));
    }

    /** The boolean label counted as positives per split (label balance in the manifest). */
    String countedLabel();

    /** Refuses a split that should not be written; throws a one-line JobFailedException. */
    void gate(Dataset<Row> split, GoldManifest.SplitCounts counts, GoldConfig config);

    /** The selection rule, the features used and omitted (with reasons), the labels and the gate, for the manifest. */
    void describe(ObjectNode manifest, GoldManifest.SplitCounts counts, GoldConfig config);

    /** The digest column of a row's {@link ContentHash} line if it lands in train, and if it lands in test. */
    String TRAIN_DIGEST = "content_digest_if_train";
    String TEST_DIGEST = "content_digest_if_test";
}
