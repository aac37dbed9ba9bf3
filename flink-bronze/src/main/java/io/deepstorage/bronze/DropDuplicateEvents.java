package io.deepstorage.bronze;

import java.time.Duration;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.deepstorage.schemas.BronzeEvent;

/**
 * Keyed by event_id: lets each distinct content of an event through once and drops every further delivery of it
 * (re-deliveries, replays from an earlier offset, snapshot/stream overlaps). An UPDATE that changed the row has a
 * new content fingerprint and goes through as a new version. State expires after the TTL (default 7 days), so
 * replays older than the TTL are left to silver's count-once. Its records travel with {@link BronzeEventSerializer}.
 */
public class DropDuplicateEvents extends KeyedProcessFunction<String, BronzeEvent, BronzeEvent>
        implements ResultTypeQueryable<BronzeEvent> {
    private static final long serialVersionUID = 1L;
    public static final String DUPLICATE_COUNT = "duplicates_dropped";

    private final Duration ttl;
    private transient MapState<Long, Boolean> seenContent;
    private transient Counter duplicates;
    private transient LongCounter duplicateTotal;

    public DropDuplicateEvents(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public TypeInformation<BronzeEvent> getProducedType() {
        return BronzeEventSerializer.TYPE;
    }

    @Override
    public void open(Configuration parameters) {
        MapStateDescriptor<Long, Boolean> descriptor = new MapStateDescriptor<>("seen-content", Types.LONG, Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Time.milliseconds(ttl.toMillis()))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .build());
        seenContent = getRuntimeContext().getMapState(descriptor);
        duplicates = BronzeMetrics.group(getRuntimeContext()).counter(BronzeMetrics.DUPLICATES_DROPPED);
        duplicateTotal = getRuntimeContext().getLongCounter(DUPLICATE_COUNT);
    }

    @Override
    public void processElement(BronzeEvent event, Context ctx, Collector<BronzeEvent> out) throws Exception {
        long fingerprint = OutboxChangeToBronze.contentFingerprint(event);
        if (seenContent.contains(fingerprint)) {
            duplicates.inc();
            duplicateTotal.add(1);
            return;
        }
        seenContent.put(fingerprint, Boolean.TRUE);
        out.collect(event);
    }
}
