package io.deepstorage.bronze;

import java.time.Duration;
import java.util.Properties;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;

/**
 * The bronze job: outbox changes → {@link RouteOutboxChanges} (valid records on, malformed to the dead letters)
 * → keyed by event_id → {@link DropDuplicateEvents} → Parquet on S3, exactly once with checkpoints.
 *
 * <p>Like the flink-training jobs, it takes its source and sinks in the constructor; {@link #main} wires the real
 * ones (Flink CDC Postgres source, FileSinks on S3).
 */
public final class BronzeJob {
    private static final Logger LOG = LoggerFactory.getLogger(BronzeJob.class);
    public static final String JOB_NAME = "deep-storage-bronze";

    private final BronzeSettings settings;
    private final Source<OutboxChange, ?, ?> source;
    private final Sink<BronzeEvent> events;
    private final Sink<DeadLetter> deadLetters;

    /** Beside the real CDC source only: it talks to the source's database. */
    private final ReplicationSlotGuard slotGuard;

    /** Absent in the job as shipped; see {@link #withStepBeforeSink}. */
    private final Step stepBeforeSink;

    public BronzeJob(BronzeSettings settings, Source<OutboxChange, ?, ?> source, Sink<BronzeEvent> events, Sink<DeadLetter> deadLetters) {
        this(settings, source, events, deadLetters, null, null);
    }

    private BronzeJob(BronzeSettings settings, Source<OutboxChange, ?, ?> source, Sink<BronzeEvent> events,
                      Sink<DeadLetter> deadLetters, ReplicationSlotGuard slotGuard, Step stepBeforeSink) {
        this.settings = settings;
        this.source = source;
        this.events = events;
        this.deadLetters = deadLetters;
        this.slotGuard = slotGuard;
        this.stepBeforeSink = stepBeforeSink;
    }

    /** Wires the real source, its slot guard and the sinks from settings. */
    public static BronzeJob fromSettings(BronzeSettings settings) {
        Duration maxInactive = settings.heartbeatInterval.multipliedBy(3).compareTo(Duration.ofSeconds(30)) > 0
                ? settings.heartbeatInterval.multipliedBy(3)
                : Duration.ofSeconds(30);
        return new BronzeJob(settings, outboxSource(settings),
                CountedFileSink.of(BronzeSinks.events(settings.lakeUri()), "events"),
                CountedFileSink.of(BronzeSinks.deadLetters(settings.lakeUri()), "dead_letters"),
                new ReplicationSlotGuard(settings.database(), settings.slotName, settings.heartbeatInterval, maxInactive,
                        ReplicationSlotGuard.RECONNECT_GRACE),
                null);
    }

    /** The same job writing its bronze records with another sink (same uid, so its state maps across an upgrade). */
    public BronzeJob withEventsSink(Sink<BronzeEvent> otherEvents) {
        return new BronzeJob(settings, source, otherEvents, deadLetters, slotGuard, stepBeforeSink);
    }

    /**
     * The same job with one more stateless step between deduplication and the events sink: the shape of an upgrade
     * that adds an operator. Savepoints of the job without it restore into it, and back.
     */
    public BronzeJob withStepBeforeSink(String uid, MapFunction<BronzeEvent, BronzeEvent> step) {
        return new BronzeJob(settings, source, events, deadLetters, slotGuard, new Step(uid, step));
    }

    private record Step(String uid, MapFunction<BronzeEvent, BronzeEvent> function) {}

    /** Adds the pipeline and the checkpointing it relies on to {@code env}. */
    public void attachTo(StreamExecutionEnvironment env) {
        // No operator keeps a record after passing it on (each step builds a new one; the Parquet writer encodes it at
        // once), so chained operators may hand records over without the deep copy Flink makes by default.
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(settings.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointStorage(settings.checkpointDir);
        // Keep the last checkpoint on cancel: a restart or replay can resume from it.
        checkpoints.setExternalizedCheckpointCleanup(CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);
        checkpoints.setMinPauseBetweenCheckpoints(Math.min(1000, settings.checkpointInterval.toMillis() / 2));
        // How many failed checkpoints (e.g. the object store is down) to tolerate is deployment configuration
        // (execution.checkpointing.tolerable-failed-checkpoints), not code.
        env.setStateBackend("rocksdb".equals(settings.stateBackend)
                ? new EmbeddedRocksDBStateBackend(true)
                : new HashMapStateBackend());
        if (settings.parallelism != null) {
            env.setParallelism(settings.parallelism);
        }

        DataStream<OutboxChange> changes = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "outbox-cdc")
                .uid("outbox-cdc-source");
        if (slotGuard != null) {
            changes = changes.transform("replication slot guard", TypeInformation.of(OutboxChange.class), slotGuard)
                    .uid("replication-slot-guard");
        }
        SingleOutputStreamOperator<BronzeEvent> routed = changes
                .process(new RouteOutboxChanges(settings.runId))
                .uid("route-outbox-changes")
                .name("outbox change → bronze record");

        routed.getSideOutput(RouteOutboxChanges.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid("dead-letter-sink")
                .name("bronze/_dlq parquet");

        DataStream<BronzeEvent> deduplicated = routed.keyBy(BronzeEvent::getEventId)
                .process(new DropDuplicateEvents(settings.dedupTtl))
                .uid("drop-duplicate-events")
                .name("drop duplicate event_ids");
        if (stepBeforeSink != null) {
            deduplicated = deduplicated.map(stepBeforeSink.function(), BronzeEventSerializer.TYPE).uid(stepBeforeSink.uid()).name(stepBeforeSink.uid());
        }
        deduplicated
                .sinkTo(events)
                .uid("bronze-events-sink")
                .name("bronze/events parquet");
    }

    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        attachTo(env);
        return env.executeAsync(JOB_NAME);
    }

    public void execute(StreamExecutionEnvironment env) throws Exception {
        attachTo(env);
        env.execute(JOB_NAME);
    }

    /** The Flink CDC incremental Postgres source: initial snapshot, then the logical replication stream (pgoutput). */
    public static Source<OutboxChange, ?, ?> outboxSource(BronzeSettings s) {
        requireSafeResumePosition();
        Properties debezium = new Properties();
        debezium.setProperty("publication.name", s.publication);
        // The publication is created by the DBA (docs/operations.md); the job must not need to own the table.
        debezium.setProperty("publication.autocreate.mode", "disabled");
        debezium.setProperty("decimal.handling.mode", "precise");
        // The slot guard's WAL heartbeat messages keep the slot moving; they are not outbox changes.
        debezium.setProperty("message.prefix.exclude.list", ReplicationSlotGuard.HEARTBEAT_PREFIX);
        // Debezium sleeps this long whenever the replication stream has nothing ready five reads in a row, and the
        // CDC fetcher waits up to this long for a full batch: at the default 500 ms the stream reader slept a third
        // of a full-speed run and every change waited up to half a second more for its checkpoint.
        debezium.setProperty("poll.interval.ms", "50");
        return PostgresSourceBuilder.PostgresIncrementalSource.<OutboxChange>builder()
                .hostname(s.pgHost)
                .port(s.pgPort)
                .database(s.pgDatabase)
                .schemaList(s.pgSchema)
                .tableList(s.pgSchema + "." + s.pgTable)
                .username(s.pgUser)
                .password(s.pgPassword() == null ? "" : s.pgPassword())
                .slotName(s.slotName)
                .decodingPluginName("pgoutput")
                .splitSize(s.snapshotChunkSize)
                .fetchSize(s.snapshotFetchSize)
                .heartbeatInterval(offsetHeartbeat(s.heartbeatInterval))
                .startupOptions("latest".equals(s.startup) ? StartupOptions.latest() : StartupOptions.initial())
                .debeziumProperties(debezium)
                .deserializer(new OutboxChangeDeserializer())
                .build();
    }

    /**
     * How often an idle source emits Debezium's heartbeat record. A data change carries its own LSN as the source's
     * offset, not its transaction's COMMIT; only the heartbeat record carries the position past a COMMIT (a data
     * transaction's, or the slot guard's message) into the offset that checkpoints store and confirm. It writes no WAL
     * and is sent only while the stream is idle, so it can be far more frequent than the guard's WAL heartbeat: at
     * the guard's interval (30 s) the confirmed position lagged a processed write by up to one more interval.
     */
    static final Duration OFFSET_HEARTBEAT = Duration.ofSeconds(1);

    static Duration offsetHeartbeat(Duration walHeartbeat) {
        return walHeartbeat.compareTo(OFFSET_HEARTBEAT) < 0 ? walHeartbeat : OFFSET_HEARTBEAT;
    }

    /**
     * A restored source finds where to resume with {@code WalPositionLocator}. Debezium 1.9.8's own copy loses the first
     * change after some restores (FLINK-39265); ours (flink-bronze, same class name) must be the one loaded, and says
     * so with a field Debezium's lacks.
     */
    static void requireSafeResumePosition() {
        Class<?> locator = io.debezium.connector.postgresql.connection.WalPositionLocator.class;
        try {
            locator.getField("RESUME_RULE");
        } catch (NoSuchFieldException e) {
            var source = locator.getProtectionDomain().getCodeSource();
            throw new IllegalStateException("Debezium's own WalPositionLocator was loaded (from "
                    + (source == null ? "an unknown location" : source.getLocation()) + "): it can lose the first change"
                    + " after a restore (FLINK-39265). Put the bronze job jar (or flink-bronze's classes) before the"
                    + " Debezium jar on the classpath.");
        }
    }

    /**
     * Configures Flink's S3 filesystem (the flink-s3-fs-hadoop plugin found through FLINK_PLUGINS_DIR) for runs
     * outside a Flink cluster; inside one, s3.* comes from the Flink configuration.
     */
    public static Configuration configureS3(BronzeSettings s) {
        return configureS3(s, new Configuration());
    }

    /** {@link #configureS3(BronzeSettings)} on top of a given configuration (a copy; the argument is left as it is). */
    public static Configuration configureS3(BronzeSettings s, Configuration base) {
        return configureS3(s.lakeEndpoint(), base);
    }

    /** Flink's S3 filesystem for {@code lake} on top of {@code base} (a copy), for any job run outside a cluster. */
    public static Configuration configureS3(io.deepstorage.cli.LakeEndpoint lake, Configuration base) {
        Configuration conf = new Configuration(base);
        lake.flinkSettings().forEach(conf::setString);
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
        return conf;
    }

    public static void main(String[] args) throws Exception {
        if (io.deepstorage.cli.CommandLine.wantsHelp(args)) {
            System.out.println(BronzeSettings.help("BronzeJob"));
            return;
        }
        BronzeSettings settings;
        try {
            settings = BronzeSettings.parse(args, System.getenv());
        } catch (SettingException e) {
            System.err.println("bronze: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("starting {}", settings);
        var problems = OutboxPreconditions.problems(settings);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("bronze: " + p));
            System.exit(1); // the database is not ready: refused, not a bad setting
            return;
        }
        Configuration conf = settings.lakeEndpoint().endpoint().isPresent() ? configureS3(settings) : new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        fromSettings(settings).execute(env);
    }
}
