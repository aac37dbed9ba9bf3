package io.deepstorage.bronze;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * The bronze job's own metrics: all in one user group {@value #GROUP} under the operator that counts them, so the
 * Prometheus reporter exports them as {@code flink_taskmanager_job_task_operator_bronze_<name>} (docs/operations.md
 * §15 lists them with their labels; k8s/manifests/70-bronze-alerts.yaml alerts on them).
 *
 * <p>Counters start at 0 in every job attempt (a restart resets them; Prometheus' {@code increase()} handles that).
 * Gauges read -1 until the subtask has a value.
 */
public final class BronzeMetrics {
    private BronzeMetrics() {}

    public static final String GROUP = "bronze";

    /** Counter: every outbox change the job read (snapshot rows, inserts, updates, deletes, malformed rows). */
    public static final String EVENTS_IN = "eventsIn";
    /** Counter: changes that went to the dead letters. */
    public static final String DEAD_LETTERS = "deadLetters";
    /** Counter: outbox rows deleted (bronze keeps what it has). */
    public static final String OUTBOX_DELETES = "outboxDeletes";
    /** Counter: outbox rows updated (kept as a new version). */
    public static final String OUTBOX_UPDATES = "outboxUpdates";
    /** Counter: deliveries dropped because bronze already has that event_id with that content. */
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";
    /**
     * Gauge: how far behind the database the job was when it read its last streamed change: the time it read it minus
     * the change's commit time, in milliseconds. Snapshot rows carry no commit time and leave it as it is.
     */
    public static final String SOURCE_LAG_MS = "sourceLagMs";
    /** Gauge: WAL the replication slot retains (current WAL − restart_lsn), bytes. */
    public static final String SLOT_RETAINED_WAL_BYTES = "slotRetainedWalBytes";
    /** Gauge: WAL not yet confirmed by the job (current WAL − confirmed_flush_lsn), bytes. */
    public static final String SLOT_UNCONFIRMED_WAL_BYTES = "slotUnconfirmedWalBytes";
    /** Gauge: 1 while a walsender streams the slot to the job, else 0. */
    public static final String SLOT_STREAMING = "slotStreaming";
    /** Counter: part files the sink's committer made visible, under a {@value #SINK} group (events, dead_letters). */
    public static final String FILES_COMMITTED = "filesCommitted";
    /** Key of the group that tells the two sinks' counters apart (exported as the label {@code sink}). */
    public static final String SINK = "sink";

    /** The bronze group of an operator's metrics. */
    public static MetricGroup group(MetricGroup operatorMetrics) {
        return operatorMetrics.addGroup(GROUP);
    }

    public static MetricGroup group(RuntimeContext context) {
        return group(context.getMetricGroup());
    }
}
