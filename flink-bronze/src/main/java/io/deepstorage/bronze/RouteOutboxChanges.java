package io.deepstorage.bronze;

import java.time.Instant;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.DeadLetter;

/**
 * Sends valid changes on as bronze records and the rest to the dead-letter side output; counts and logs deletes.
 * Counts every change it reads and measures the source lag ({@link BronzeMetrics}). Its records travel with
 * {@link BronzeEventSerializer}.
 */
public class RouteOutboxChanges extends ProcessFunction<OutboxChange, BronzeEvent> implements ResultTypeQueryable<BronzeEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RouteOutboxChanges.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final String DEAD_LETTER_COUNT = "dead_letters";
    public static final String DELETE_COUNT = "outbox_deletes";
    public static final String UPDATE_COUNT = "outbox_updates";

    private final String runId;
    private transient Counter eventsIn;
    private transient Counter deadLetters;
    private transient Counter deletes;
    private transient Counter updates;
    private transient LongCounter deadLetterTotal;
    private transient LongCounter deleteTotal;
    private transient LongCounter updateTotal;
    private transient volatile long sourceLagMs;

    public RouteOutboxChanges(String runId) {
        this.runId = runId;
    }

    @Override
    public TypeInformation<BronzeEvent> getProducedType() {
        return BronzeEventSerializer.TYPE;
    }

    @Override
    public void open(Configuration parameters) {
        MetricGroup metrics = BronzeMetrics.group(getRuntimeContext());
        eventsIn = metrics.counter(BronzeMetrics.EVENTS_IN);
        deadLetters = metrics.counter(BronzeMetrics.DEAD_LETTERS);
        deletes = metrics.counter(BronzeMetrics.OUTBOX_DELETES);
        updates = metrics.counter(BronzeMetrics.OUTBOX_UPDATES);
        sourceLagMs = -1;
        metrics.gauge(BronzeMetrics.SOURCE_LAG_MS, () -> sourceLagMs);
        deadLetterTotal = getRuntimeContext().getLongCounter(DEAD_LETTER_COUNT);
        deleteTotal = getRuntimeContext().getLongCounter(DELETE_COUNT);
        updateTotal = getRuntimeContext().getLongCounter(UPDATE_COUNT);
    }

    @Override
    public void processElement(OutboxChange change, Context ctx, Collector<BronzeEvent> out) {
        eventsIn.inc();
        if (change.sourceTimeMicros != null) {
            // Measured when the change is read, so a quiet outbox does not look like lag; a clock behind the
            // database's would make it negative, which means "no lag" too.
            sourceLagMs = Math.max(0, ctx.timerService().currentProcessingTime() - change.sourceTimeMicros / 1000);
        }
        OutboxChangeToBronze.Outcome outcome = OutboxChangeToBronze.map(change, Instant.now(), runId);
        if (outcome.event() != null) {
            if (OutboxChange.UPDATE.equals(change.kind)) {
                // The outbox is append-only by contract; an update is kept as a new version, never dropped.
                updates.inc();
                updateTotal.add(1);
                LOG.warn("outbox row {} was updated (lsn {}); writing it as a new version", change.eventId, change.lsn);
            }
            out.collect(outcome.event());
        } else if (outcome.deadLetter() != null) {
            deadLetters.inc();
            deadLetterTotal.add(1);
            LOG.warn("dead letter for event {} (lsn {}): {}", change.eventId, change.lsn, outcome.deadLetter().getReason());
            ctx.output(DEAD_LETTERS, outcome.deadLetter());
        } else {
            deletes.inc();
            deleteTotal.add(1);
            LOG.warn("outbox row {} was deleted (lsn {}); bronze keeps what it has", change.eventId, change.lsn);
        }
    }
}
