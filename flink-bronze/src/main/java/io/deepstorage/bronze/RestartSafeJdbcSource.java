package io.deepstorage.bronze;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.jdbc.source.JdbcSource;
import org.apache.flink.connector.jdbc.source.enumerator.JdbcSourceEnumerator;
import org.apache.flink.connector.jdbc.source.enumerator.JdbcSourceEnumeratorState;
import org.apache.flink.connector.jdbc.source.enumerator.JdbcSqlSplitEnumeratorBase;
import org.apache.flink.connector.jdbc.source.split.JdbcSourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink's JdbcSource (3.2.0) with a restore that reads each split once. Its enumerator's {@code start()} always adds
 * a fresh enumeration of every split to the ones a checkpoint kept unassigned, and readers keep the splits they
 * held: after a restore every split was read twice (found by a killed-and-resumed replay). Here a restored
 * enumerator hands out only what the checkpoint kept. Left as upstream: the split a reader was in the middle of is
 * read again from its first row (JdbcSource 3.2.0 ignores the checkpointed offset), so a resume writes at most that
 * chunk's rows twice; silver counts each event once.
 */
public final class RestartSafeJdbcSource<T>
        implements Source<T, JdbcSourceSplit, JdbcSourceEnumeratorState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final JdbcSource<T> delegate;

    public RestartSafeJdbcSource(JdbcSource<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, JdbcSourceSplit> createReader(SourceReaderContext context) throws Exception {
        return delegate.createReader(context);
    }

    @Override
    public SplitEnumerator<JdbcSourceSplit, JdbcSourceEnumeratorState> createEnumerator(
            SplitEnumeratorContext<JdbcSourceSplit> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<JdbcSourceSplit, JdbcSourceEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<JdbcSourceSplit> context, JdbcSourceEnumeratorState state) {
        return new JdbcSourceEnumerator(context, new NoMoreSplits(state.getOptionalUserDefinedSplitEnumeratorState()),
                new ArrayList<>(state.getRemainingSplits()));
    }

    @Override
    public SimpleVersionedSerializer<JdbcSourceSplit> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<JdbcSourceEnumeratorState> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }

    /** A restored enumeration: the checkpoint's remaining splits are all there is. */
    private static final class NoMoreSplits extends JdbcSqlSplitEnumeratorBase<JdbcSourceSplit> {
        private static final long serialVersionUID = 1L;

        NoMoreSplits(Serializable state) {
            super(state);
        }

        @Override
        public List<JdbcSourceSplit> enumerateSplits() {
            return List.of();
        }
    }
}
