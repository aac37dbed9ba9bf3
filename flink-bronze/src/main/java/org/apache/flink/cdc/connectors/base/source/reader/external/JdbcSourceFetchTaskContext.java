/*
 * Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements.  See the NOTICE file distributed with
 * this work for additional information regarding copyright ownership.
 * The ASF licenses this file to You under the Apache License, Version 2.0
 * (the "License"); you may not use this file except in compliance with
 * the License.  You may obtain a copy of the License at
 *
 *      http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 *
 * Deep Storage's copy of Flink CDC 3.2.1's class of the same name (flink-cdc-base), changed only in
 * formatMessageTimestamp: the bronze job jar carries it instead of Flink CDC's (see flink-bronze/pom.xml).
 */

package org.apache.flink.cdc.connectors.base.source.reader.external;

import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.dialect.JdbcDataSourceDialect;
import org.apache.flink.cdc.connectors.base.relational.JdbcSourceEventDispatcher;
import org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils;
import org.apache.flink.table.types.logical.RowType;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.data.Envelope;
import io.debezium.pipeline.ErrorHandler;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.pipeline.spi.Partition;
import io.debezium.relational.RelationalDatabaseSchema;
import io.debezium.relational.Table;
import io.debezium.relational.TableId;
import io.debezium.util.SchemaNameAdjuster;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The context for fetch task that fetching data of snapshot split from JDBC data source. */
public abstract class JdbcSourceFetchTaskContext implements FetchTask.Context {

    protected final JdbcSourceConfig sourceConfig;
    protected final JdbcDataSourceDialect dataSourceDialect;
    protected CommonConnectorConfig dbzConnectorConfig;
    protected final SchemaNameAdjuster schemaNameAdjuster;

    public JdbcSourceFetchTaskContext(
            JdbcSourceConfig sourceConfig, JdbcDataSourceDialect dataSourceDialect) {
        this.sourceConfig = sourceConfig;
        this.dataSourceDialect = dataSourceDialect;
        this.dbzConnectorConfig = sourceConfig.getDbzConnectorConfig();
        this.schemaNameAdjuster = SchemaNameAdjuster.create();
    }

    @Override
    public TableId getTableId(SourceRecord record) {
        return SourceRecordUtils.getTableId(record);
    }

    @Override
    public boolean isDataChangeRecord(SourceRecord record) {
        return SourceRecordUtils.isDataChangeRecord(record);
    }

    @Override
    public boolean isRecordBetween(SourceRecord record, Object[] splitStart, Object[] splitEnd) {
        RowType splitKeyType = getSplitType(getDatabaseSchema().tableFor(this.getTableId(record)));
        Object[] key = SourceRecordUtils.getSplitKey(splitKeyType, record, getSchemaNameAdjuster());
        return SourceRecordUtils.splitKeyRangeContains(key, splitStart, splitEnd);
    }

    @Override
    public void rewriteOutputBuffer(
            Map<Struct, SourceRecord> outputBuffer, SourceRecord changeRecord) {
        Struct key = (Struct) changeRecord.key();
        Struct value = (Struct) changeRecord.value();
        if (value != null) {
            Envelope.Operation operation =
                    Envelope.Operation.forCode(value.getString(Envelope.FieldName.OPERATION));
            switch (operation) {
                case CREATE:
                case UPDATE:
                    Envelope envelope = Envelope.fromSchema(changeRecord.valueSchema());
                    Struct source = value.getStruct(Envelope.FieldName.SOURCE);
                    Struct after = value.getStruct(Envelope.FieldName.AFTER);
                    Instant fetchTs =
                            Instant.ofEpochMilli((Long) source.get(Envelope.FieldName.TIMESTAMP));
                    SourceRecord record =
                            new SourceRecord(
                                    changeRecord.sourcePartition(),
                                    changeRecord.sourceOffset(),
                                    changeRecord.topic(),
                                    changeRecord.kafkaPartition(),
                                    changeRecord.keySchema(),
                                    changeRecord.key(),
                                    changeRecord.valueSchema(),
                                    envelope.read(after, source, fetchTs));
                    outputBuffer.put(key, record);
                    break;
                case DELETE:
                    outputBuffer.remove(key);
                    break;
                case READ:
                    throw new IllegalStateException(
                            String.format(
                                    "Data change record shouldn't use READ operation, the the record is %s.",
                                    changeRecord));
            }
        }
    }

    /** Read by a test to prove this copy, not Flink CDC's, is the one loaded. */
    public static final String SNAPSHOT_READS_KEPT = "a snapshot read keeps its envelope; only source.ts_ms is set to 0";

    @Override
    public List<SourceRecord> formatMessageTimestamp(Collection<SourceRecord> snapshotRecords) {
        return asSnapshotReads(snapshotRecords);
    }

    /**
     * Flink CDC's rule: every record of a snapshot chunk becomes a READ with {@code source.ts_ms = 0} and the fetch
     * time as {@code ts_ms}. Upstream rebuilds each envelope with {@code Envelope.read}, whose {@code Struct.put}
     * validates every field of {@code after} and {@code source} again (a third of the bronze backlog's CPU). A record
     * that already is exactly that envelope (op r, the fetch time in ts_ms, nothing but after, source, op and ts_ms
     * set: every snapshot record, and every backfill change {@link #rewriteOutputBuffer} turned into a read) keeps its
     * value; anything else is rebuilt as upstream does.
     */
    public static List<SourceRecord> asSnapshotReads(Collection<SourceRecord> snapshotRecords) {
        List<SourceRecord> reads = new ArrayList<>(snapshotRecords.size());
        for (SourceRecord record : snapshotRecords) {
            Struct value = (Struct) record.value();
            // set message timestamp (source.ts_ms) to 0L
            Struct source = value.getStruct(Envelope.FieldName.SOURCE);
            source.put(Envelope.FieldName.TIMESTAMP, 0L);
            Struct read = isReadEnvelope(value) ? value : rebuiltAsRead(record, value, source);
            reads.add(
                    new SourceRecord(
                            record.sourcePartition(),
                            record.sourceOffset(),
                            record.topic(),
                            record.kafkaPartition(),
                            record.keySchema(),
                            record.key(),
                            record.valueSchema(),
                            read));
        }
        return reads;
    }

    private static Struct rebuiltAsRead(SourceRecord record, Struct value, Struct source) {
        Envelope envelope = Envelope.fromSchema(record.valueSchema());
        Struct updateAfter = value.getStruct(Envelope.FieldName.AFTER);
        // extend the fetch timestamp(ts_ms)
        Instant fetchTs = Instant.ofEpochMilli(value.getInt64(Envelope.FieldName.TIMESTAMP));
        return envelope.read(updateAfter, source, fetchTs);
    }

    /** Whether {@code value} is what {@code Envelope.read(after, source, ts_ms)} would build from it. */
    private static boolean isReadEnvelope(Struct value) {
        if (!Envelope.Operation.READ.code().equals(value.getString(Envelope.FieldName.OPERATION))
                || value.get(Envelope.FieldName.TIMESTAMP) == null) {
            return false;
        }
        for (Field field : value.schema().fields()) {
            switch (field.name()) {
                case Envelope.FieldName.OPERATION:
                case Envelope.FieldName.AFTER:
                case Envelope.FieldName.SOURCE:
                case Envelope.FieldName.TIMESTAMP:
                    break;
                default:
                    if (value.get(field) != null) {
                        return false;
                    }
            }
        }
        return true;
    }

    public SourceConfig getSourceConfig() {
        return sourceConfig;
    }

    public JdbcDataSourceDialect getDataSourceDialect() {
        return dataSourceDialect;
    }

    public CommonConnectorConfig getDbzConnectorConfig() {
        return dbzConnectorConfig;
    }

    public void setDbzConnectorConfig(CommonConnectorConfig dbzConnectorConfig) {
        this.dbzConnectorConfig = dbzConnectorConfig;
    }

    public SchemaNameAdjuster getSchemaNameAdjuster() {
        return SchemaNameAdjuster.create();
    }

    public abstract RelationalDatabaseSchema getDatabaseSchema();

    public abstract RowType getSplitType(Table table);

    public abstract ErrorHandler getErrorHandler();

    public abstract JdbcSourceEventDispatcher getDispatcher();

    public abstract OffsetContext getOffsetContext();

    public abstract Partition getPartition();
}
