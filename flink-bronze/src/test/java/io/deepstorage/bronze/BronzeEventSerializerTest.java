package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.deepstorage.schemas.BronzeEvent;

class BronzeEventSerializerTest {

    @Test
    void everyFieldOfRandomRecordsComesBackEqualIncludingTheDecimalsScale() throws IOException {
        Random random = new Random(42);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        for (int i = 0; i < 20_000; i++) {
            BronzeEvent event = FlatAvroWriteSupportTest.randomEvent(random, i);
            out.clear();
            BronzeEventSerializer.INSTANCE.serialize(event, out);
            BronzeEvent back = BronzeEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.wrapAsByteBuffer()));
            assertSameFields(back, event);
        }
    }

    @Test
    void valuesAtTheEdgesComeBackAsTheyWere() throws IOException {
        BronzeEvent event = FlatAvroWriteSupportTest.randomEvent(new Random(7), 0);
        event.setPayloadJson("x".repeat(200_000) + "\uD83D\uDE00 \uD800 unpaired, é, \u0000");
        event.setTriggerPrice(new BigDecimal(BigInteger.ONE.shiftLeft(200).negate(), 8)); // beyond a long
        event.setStopPrice(new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE), 8));
        event.setQuantity(new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE), -3));
        event.setFillPrice(new BigDecimal("1.50000000"));
        event.setSlippagePct(BigDecimal.ZERO);
        event.put(2, Instant.ofEpochSecond(-62_000_000_000L, 999_999_999)); // nanoseconds the setter would cut
        event.setSourceCommitTs(Instant.MAX);
        event.put(0, null); // even where the schema forbids a null
        event.setSymbol("");

        DataOutputSerializer out = new DataOutputSerializer(64);
        BronzeEventSerializer.INSTANCE.serialize(event, out);
        assertSameFields(BronzeEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.wrapAsByteBuffer())), event);
        assertSameFields(BronzeEventSerializer.INSTANCE.copy(event), event);
    }

    @Test
    void theBronzeJobsKeyedExchangeCarriesRecordsWithIt() throws Exception {
        BronzeSettings settings = BronzeSettings.parse(new String[] {"--parallelism", "2"}, BronzeSettingsTest.ENV);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        new BronzeJob(settings, BoundedListSource.of(OutboxChange.class, 1, List.of()),
                CollectingSink.create("BronzeEventSerializerTest/events"),
                CollectingSink.create("BronzeEventSerializerTest/dead-letters")).attachTo(env);
        StreamGraph graph = env.getStreamGraph(false);

        StreamNode dedup = graph.getStreamNodes().stream()
                .filter(n -> n.getOperatorName().equals("drop duplicate event_ids")).findFirst().orElseThrow();
        assertThat(dedup.getTypeSerializersIn()[0]).isSameAs(BronzeEventSerializer.INSTANCE);
        assertThat(dedup.getTypeSerializerOut()).isSameAs(BronzeEventSerializer.INSTANCE);
    }

    @Test
    void theLayoutFollowsEveryFieldOfTheSchema() {
        assertThat(BronzeEventSerializer.kinds(BronzeEvent.getClassSchema())).hasSize(BronzeEvent.getClassSchema().getFields().size())
                .doesNotContainNull();
    }

    private static void assertSameFields(BronzeEvent actual, BronzeEvent expected) {
        for (int i = 0; i < BronzeEvent.getClassSchema().getFields().size(); i++) {
            Object a = actual.get(i);
            Object e = expected.get(i);
            assertThat(Objects.equals(a, e))
                    .as("field %s: %s, expected %s", BronzeEvent.getClassSchema().getFields().get(i).name(), a, e)
                    .isTrue();
        }
    }

    /** Flink's own contract for serialisers: copies, reuse, sequences, snapshots, duplicates. */
    @Nested
    class FlinksSerializerContract extends SerializerTestBase<BronzeEvent> {
        @Override
        protected TypeSerializer<BronzeEvent> createSerializer() {
            return BronzeEventSerializer.INSTANCE;
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<BronzeEvent> getTypeClass() {
            return BronzeEvent.class;
        }

        @Override
        protected BronzeEvent[] getTestData() {
            Random random = new Random(1);
            BronzeEvent[] data = new BronzeEvent[200];
            for (int i = 0; i < data.length; i++) {
                data[i] = FlatAvroWriteSupportTest.randomEvent(random, i);
            }
            return data;
        }
    }
}
