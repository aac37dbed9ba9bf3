package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.InProgressFileWriter;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountedFileSinkTest {

    record Pending(org.apache.flink.core.fs.Path getPath) implements InProgressFileWriter.PendingFileRecoverable {
        @Override
        public long getSize() {
            return 1;
        }
    }

    record InProgress(org.apache.flink.core.fs.Path getPath) implements InProgressFileWriter.InProgressFileRecoverable {
        @Override
        public long getSize() {
            return 1;
        }
    }

    static StreamRecord<CommittableMessage<FileSinkCommittable>> committed(FileSinkCommittable c) {
        return new StreamRecord<>(new CommittableWithLineage<>(c, 7L, 0));
    }

    static org.apache.flink.core.fs.Path part(String name) {
        return new org.apache.flink.core.fs.Path("s3://lake/bronze/events/date=2026-11-20/" + name);
    }

    @Test
    void onlyCommittablesThatMadeAPartFileVisibleCountAsCommittedFiles() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        MockEnvironment env = metrics.environment();
        try (env; var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new CountedFileSink.CountCommittedFiles("events")), env)) {
            h.open();
            h.processElement(new StreamRecord<>(new CommittableSummary<>(0, 1, 7L, 4, 0, 0)));
            h.processElement(committed(new FileSinkCommittable("date=2026-11-20", new Pending(part("part-a.parquet")))));
            h.processElement(committed(new FileSinkCommittable("date=2026-11-21", new Pending(part("part-b.parquet")))));
            // What the FileSink also commits, but is no new file: removing an abandoned in-progress file or a
            // compacted input.
            h.processElement(committed(new FileSinkCommittable("date=2026-11-20", new InProgress(part(".part-c.inprogress")))));
            h.processElement(committed(new FileSinkCommittable("date=2026-11-20", part("compacted-input.parquet"))));

            assertThat(metrics.count("bronze.sink.events.filesCommitted")).isEqualTo(2);
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    static List<String> uids(Sink<String> sink) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(1000);
        env.fromElements("a", "b").uid("source").sinkTo(sink).uid("bronze-events-sink").name("bronze/events");
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID).sorted().toList();
    }

    @Test
    void countingKeepsTheWritersAndTheCommittersUidsSoSavepointsMapAcrossIt(@TempDir Path dir) {
        FileSink<String> plain = FileSink.forRowFormat(new org.apache.flink.core.fs.Path(dir.toUri()),
                new SimpleStringEncoder<String>()).build();

        assertThat(uids(plain)).containsExactly("Sink Committer: bronze-events-sink", "bronze-events-sink", "source");
        assertThat(uids(CountedFileSink.of(plain, "events"))).containsExactly("Sink Committer: bronze-events-sink",
                "bronze-events-sink", "bronze-events-sink: count-committed-files", "source");
    }
}
