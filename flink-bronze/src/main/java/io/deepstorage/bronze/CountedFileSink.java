package io.deepstorage.bronze;

import java.io.IOException;
import java.util.Collection;

import org.apache.flink.api.common.SupportsConcurrentExecutionAttempts;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.StatefulSink;
import org.apache.flink.api.connector.sink2.TwoPhaseCommittingSink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.connector.file.sink.writer.FileWriter;
import org.apache.flink.connector.file.sink.writer.FileWriterBucketState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.WithPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.WithPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A {@link FileSink} that also counts the part files its committer made visible ({@link BronzeMetrics#FILES_COMMITTED}).
 *
 * <p>Flink 1.18 gives a sink's committer no metric group (that came with FLIP-371 in 1.19), but a sink that has a
 * post-commit topology gets every committable its committer committed, after the commit: the committer operator
 * emits only requests that ended committed (or already committed), never failed or pending ones. Counting those that
 * carry a pending file therefore counts files made visible; cleanup-only committables are not files. After a restore
 * the committer commits the restored checkpoint's files again (idempotently) and they are counted again in the new
 * attempt, whose counter starts at 0.
 *
 * <p>Everything else is the wrapped FileSink's: the writer keeps the sink's uid and the committer its
 * {@code Sink Committer: <uid>} uid, so savepoints map across adding or removing the count. The counting step is
 * stateless, chained to the committer, uid {@code <sink uid>: count-committed-files}.
 */
public final class CountedFileSink<IN> implements StatefulSink<IN, FileWriterBucketState>,
        TwoPhaseCommittingSink<IN, FileSinkCommittable>, StatefulSink.WithCompatibleState,
        WithPreCommitTopology<IN, FileSinkCommittable>, WithPostCommitTopology<IN, FileSinkCommittable>,
        SupportsConcurrentExecutionAttempts {
    private static final long serialVersionUID = 1L;

    private final FileSink<IN> sink;
    private final String name;

    private CountedFileSink(FileSink<IN> sink, String name) {
        this.sink = sink;
        this.name = name;
    }

    /** {@code sink}, counting its committed files under {@code bronze.sink.<name>}. */
    public static <IN> CountedFileSink<IN> of(FileSink<IN> sink, String name) {
        return new CountedFileSink<>(sink, name);
    }

    @Override
    public FileWriter<IN> createWriter(InitContext context) throws IOException {
        return sink.createWriter(context);
    }

    @Override
    public FileWriter<IN> restoreWriter(InitContext context, Collection<FileWriterBucketState> recoveredState)
            throws IOException {
        return sink.restoreWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<FileWriterBucketState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Collection<String> getCompatibleWriterStateNames() {
        return sink.getCompatibleWriterStateNames();
    }

    @Override
    public Committer<FileSinkCommittable> createCommitter() throws IOException {
        return sink.createCommitter();
    }

    @Override
    public SimpleVersionedSerializer<FileSinkCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public DataStream<CommittableMessage<FileSinkCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<FileSinkCommittable>> committables) {
        return sink.addPreCommitTopology(committables);
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<FileSinkCommittable>> committed) {
        committed.process(new CountCommittedFiles(name), Types.VOID)
                .uid("count-committed-files")
                .name("count committed files");
    }

    /** Counts the committed committables that made a part file visible. */
    static final class CountCommittedFiles extends ProcessFunction<CommittableMessage<FileSinkCommittable>, Void> {
        private static final long serialVersionUID = 1L;
        private final String sinkName;
        private transient Counter files;

        CountCommittedFiles(String sinkName) {
            this.sinkName = sinkName;
        }

        @Override
        public void open(Configuration parameters) {
            files = BronzeMetrics.group(getRuntimeContext()).addGroup(BronzeMetrics.SINK, sinkName)
                    .counter(BronzeMetrics.FILES_COMMITTED);
        }

        @Override
        public void processElement(CommittableMessage<FileSinkCommittable> message, Context ctx, Collector<Void> out) {
            // The other messages are the per-checkpoint summaries.
            if (message instanceof CommittableWithLineage<FileSinkCommittable> committed
                    && committed.getCommittable().hasPendingFile()) {
                files.inc();
            }
        }
    }
}
