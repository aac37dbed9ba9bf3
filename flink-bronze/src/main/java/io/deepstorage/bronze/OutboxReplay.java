package io.deepstorage.bronze;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;
import io.deepstorage.schemas.LakeLayout;

/**
 * Replay: outbox rows read again from the table itself ({@link OutboxTableSource}: chunked by event_id range,
 * streaming fetches, resumable by key) → the streaming job's own {@link RouteOutboxChanges} (mapping, dead letters) → bronze Parquet, written
 * beside what the streaming job writes. It never touches the replication slot, so bronze keeps streaming. Replayed
 * copies of events already in bronze are copies: silver counts each event once.
 *
 * <p>Why the table and not the CDC source: Flink CDC 3.2's Postgres source can start only at the beginning
 * (a full snapshot that needs a slot) or at the latest offset, and PostgreSQL cannot rewind a slot.
 */
public final class OutboxReplay {
    public static final String JOB_NAME = "deep-storage-replay";

    private final ReplaySettings settings;
    private final Source<OutboxChange, ?, ?> source;
    private final Sink<BronzeEvent> events;
    private final Sink<DeadLetter> deadLetters;

    public OutboxReplay(ReplaySettings settings, Source<OutboxChange, ?, ?> source, Sink<BronzeEvent> events,
                        Sink<DeadLetter> deadLetters) {
        this.settings = settings;
        this.source = source;
        this.events = events;
        this.deadLetters = deadLetters;
    }

    /** The real source and bronze's sinks. */
    public static OutboxReplay fromSettings(ReplaySettings s) {
        return new OutboxReplay(s, outboxSource(s), BronzeSinks.events(s.lakeUri(), partPrefix(s)),
                BronzeSinks.deadLetters(s.lakeUri(), partPrefix(s)));
    }

    /** A replay's parts are named {@code part-<run id>-…}: committed parts like any, and countable per replay. */
    public static String partPrefix(ReplaySettings s) {
        return LakeLayout.PART_PREFIX + "-" + s.runId;
    }

    public void attachTo(StreamExecutionEnvironment env) {
        env.getConfig().enableObjectReuse(); // as the streaming job: no step keeps a record it passed on
        env.enableCheckpointing(settings.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setCheckpointStorage(settings.checkpointDir);
        if (settings.parallelism != null) {
            env.setParallelism(settings.parallelism);
        }
        DataStream<OutboxChange> rows = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "outbox-replay")
                .uid("outbox-replay-source");
        if (settings.maxRowsPerSecond > 0) {
            rows = rows.map(new Throttle<>(settings.maxRowsPerSecond)).uid("replay-throttle").name("at most "
                    + settings.maxRowsPerSecond + " rows/s");
        }
        SingleOutputStreamOperator<BronzeEvent> routed = rows
                .process(new RouteOutboxChanges(settings.runId))
                .uid("replay-route-outbox-changes")
                .name("outbox row → bronze record");
        routed.getSideOutput(RouteOutboxChanges.DEAD_LETTERS).sinkTo(deadLetters)
                .uid("replay-dead-letter-sink").name("bronze/_dlq parquet");
        routed.sinkTo(events).uid("replay-events-sink").name("bronze/events parquet");
    }

    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        attachTo(env);
        return env.executeAsync(JOB_NAME);
    }

    /** The outbox table in {@code --replay-chunks} event_id chunks, each resumable after its last row read. */
    public static Source<OutboxChange, ?, ?> outboxSource(ReplaySettings s) {
        boolean commitTimestamps = commitTimestampsTracked(s);
        List<String> ids = s.eventIds.orElse(null);
        return new OutboxTableSource(s.database,
                OutboxRows.chunkQuery(s.pgSchema, s.pgTable, s.window, ids, commitTimestamps, false),
                OutboxRows.chunkQuery(s.pgSchema, s.pgTable, s.window, ids, commitTimestamps, true),
                s.chunks, s.fetchSize);
    }

    /** Whether PostgreSQL keeps commit times (track_commit_timestamp); asked once when the job is built. */
    static boolean commitTimestampsTracked(ReplaySettings s) {
        try (Connection c = s.database.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('track_commit_timestamp') = 'on'")) {
            return rs.next() && rs.getBoolean(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot reach the outbox database " + s.database.url() + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws Exception {
        if (io.deepstorage.cli.CommandLine.wantsHelp(args)) {
            System.out.println(ReplaySettings.help("OutboxReplay"));
            return;
        }
        ReplaySettings settings;
        try {
            settings = ReplaySettings.parse(args, System.getenv());
        } catch (SettingException e) {
            System.err.println("replay: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Inside a Flink cluster s3.* comes from its configuration; with an endpoint given, the job sets it up itself.
        Configuration conf = settings.lakeEndpoint().endpoint().isPresent()
                ? BronzeJob.configureS3(settings.lakeEndpoint(), new Configuration())
                : new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        fromSettings(settings).attachTo(env);
        env.execute(JOB_NAME);
    }
}
