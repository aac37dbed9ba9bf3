package io.deepstorage.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import io.deepstorage.schemas.StopExecution;
import org.junit.jupiter.api.Test;

class OperationFoldTest {
    private static final Instant T0 = Instant.parse("2024-03-01T23:59:58Z");
    private long lsn = 1000;

    /** A streamed event committed after every event made before it by this helper. */
    private Event streamed(String id, String type, int secondsAfterT0) {
        lsn += 10;
        return new Event(id, type, T0.plusSeconds(secondsAfterT0)).committedAt(lsn, lsn);
    }

    @Test
    void a_trigger_alone_leaves_the_operation_pending_with_the_trigger_prices() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).prices("100.5", "99").side("SELL").payload("{\"entry_price\": 120.25, \"x\": [1]}").build()));
        assertThat(row.getStatus()).isEqualTo("PENDING");
        assertThat(row.getTriggeredAt()).isEqualTo(T0);
        assertThat(row.getTriggerPrice()).isEqualByComparingTo("100.5");
        assertThat(row.getStopPrice()).isEqualByComparingTo("99");
        assertThat(row.getEntryPrice()).isEqualByComparingTo("120.25");
        assertThat(row.getSide()).isEqualTo("SELL");
        assertThat(row.getAttempts()).isEqualTo(1);
        assertThat(row.getEventCount()).isEqualTo(1);
        assertThat(row.getSubmittedAt()).isNull();
    }

    @Test
    void trigger_submit_execute_ends_executed_with_fill_slippage_and_order_id() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).token("t1").prices("100", "99").build(),
                streamed("e2", "EXECUTION_SUBMITTED", 1).token("t1").build(),
                streamed("e3", "EXECUTED", 3).token("t1").fill("98.5", "0.5051").orderId("X-1").build()));
        assertThat(row.getStatus()).isEqualTo("EXECUTED");
        assertThat(row.getSubmittedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(row.getExecutedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(row.getFillPrice()).isEqualByComparingTo("98.5");
        assertThat(row.getSlippagePct()).isEqualByComparingTo("0.5051");
        assertThat(row.getExchangeOrderId()).isEqualTo("X-1");
        assertThat(row.getLastEventType()).isEqualTo("EXECUTED");
        assertThat(row.getSourceEventIds()).containsExactly("e1", "e2", "e3");
        assertThat(row.getLastEventAt()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void a_failure_records_its_time_and_error() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).build(),
                streamed("e2", "FAILED", 2).error("exchange timeout").build()));
        assertThat(row.getStatus()).isEqualTo("FAILED");
        assertThat(row.getFailedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(row.getLastError()).isEqualTo("exchange timeout");
    }

    @Test
    void a_lone_failed_without_trigger_is_a_failed_operation_with_no_trigger_time() {
        StopExecution row = OperationFold.fold(List.of(streamed("e9", "FAILED", 5).error("rolled back").build()));
        assertThat(row.getStatus()).isEqualTo("FAILED");
        assertThat(row.getTriggeredAt()).isNull();
        assertThat(row.getTriggerPrice()).isNull();
        assertThat(row.getFirstEventAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(OperationFold.partitionDate(row)).isEqualTo(LocalDate.parse("2024-03-02"));
    }

    @Test
    void every_guard_type_blocks_the_operation_and_names_itself_when_there_is_no_error_message() {
        for (String guard : List.of("BLOCKED", "STALE_PRICE", "KILL_SWITCH", "SLIPPAGE_BREACH", "CIRCUIT_BREAKER")) {
            StopExecution row = OperationFold.fold(List.of(
                    streamed("a-" + guard, "STOP_TRIGGERED", 0).build(),
                    streamed("b-" + guard, guard, 1).build()));
            assertThat(row.getStatus()).as(guard).isEqualTo("BLOCKED");
            assertThat(row.getBlockedAt()).as(guard).isEqualTo(T0.plusSeconds(1));
            assertThat(row.getLastError()).as(guard).isEqualTo(guard);
        }
        StopExecution withMessage = OperationFold.fold(List.of(streamed("k", "KILL_SWITCH", 0).error("switch on").build()));
        assertThat(withMessage.getLastError()).isEqualTo("switch on");
    }

    @Test
    void an_unknown_event_type_is_counted_but_does_not_change_the_status() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).build(),
                streamed("e2", "EXECUTION_SUBMITTED", 1).build(),
                streamed("e3", "PARTIALLY_FILLED_V2", 2).build()));
        assertThat(row.getStatus()).isEqualTo("SUBMITTED");
        assertThat(row.getEventCount()).isEqualTo(3);
        assertThat(row.getLastEventType()).isEqualTo("PARTIALLY_FILLED_V2");
        assertThat(row.getSourceEventIds()).containsExactly("e1", "e2", "e3");
    }

    @Test
    void a_retry_after_a_failure_can_end_executed_and_counts_each_attempt() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).token("t1").prices("100", "99").build(),
                streamed("e2", "FAILED", 1).token("t1").error("timeout").build(),
                streamed("e3", "STOP_TRIGGERED", 10).token("t2").prices("98", "99").build(),
                streamed("e4", "EXECUTION_SUBMITTED", 11).token("t2").build(),
                streamed("e5", "EXECUTED", 12).token("t2").fill("97.9", "1.1").orderId("X-2").build()));
        assertThat(row.getStatus()).isEqualTo("EXECUTED");
        assertThat(row.getAttempts()).isEqualTo(2);
        assertThat(row.getTriggeredAt()).as("first trigger").isEqualTo(T0);
        assertThat(row.getTriggerPrice()).as("latest trigger").isEqualByComparingTo("98");
        assertThat(row.getFailedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void exchange_order_id_is_the_latest_non_null_one() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "EXECUTION_SUBMITTED", 0).orderId("X-1").build(),
                streamed("e2", "FAILED", 1).build()));
        assertThat(row.getExchangeOrderId()).isEqualTo("X-1");
    }

    @Test
    void status_follows_commit_order_not_occurred_at() {
        // The FAILED row carries an earlier app time but was committed after the EXECUTED one.
        Event executed = new Event("e2", "EXECUTED", T0.plusSeconds(5)).committedAt(200, 201);
        Event failed = new Event("e3", "FAILED", T0.plusSeconds(1)).committedAt(300, 301);
        StopExecution row = OperationFold.fold(List.of(failed.build(), executed.build()));
        assertThat(row.getStatus()).isEqualTo("FAILED");
        assertThat(row.getSourceEventIds()).containsExactly("e2", "e3");
        assertThat(row.getFirstEventAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void snapshot_rows_come_before_streamed_rows_and_are_ordered_by_occurred_at_then_event_seq() {
        BronzeRecord triggered = new Event("s1", "STOP_TRIGGERED", T0).snapshot(7L).build();
        BronzeRecord submitted = new Event("s2", "EXECUTION_SUBMITTED", T0.plusSeconds(1)).snapshot(null).build();
        BronzeRecord executed = new Event("s3", "EXECUTED", T0.plusSeconds(2)).snapshot(8L).build();
        BronzeRecord sameTimeLaterSeq = new Event("s0", "PARTIAL_FILL", T0.plusSeconds(2)).snapshot(9L).build();
        BronzeRecord stream = new Event("x1", "FAILED", T0.minusSeconds(100)).committedAt(5, 5).build();
        assertThat(CommitOrder.sorted(List.of(stream, executed, sameTimeLaterSeq, submitted, triggered)))
                .extracting(BronzeRecord::eventId).containsExactly("s1", "s2", "s3", "s0", "x1");
    }

    @Test
    void replayed_rows_follow_their_transactions_not_occurred_at() {
        // The app's clock put EXECUTED before STOP_TRIGGERED; the transactions say otherwise.
        BronzeRecord triggered = new Event("t", "STOP_TRIGGERED", T0.plusSeconds(5)).replayed(1_000, null).build();
        BronzeRecord executed = new Event("x", "EXECUTED", T0.plusSeconds(3)).replayed(1_001, null).build();
        assertThat(OperationFold.fold(List.of(executed, triggered)).getStatus()).isEqualTo("EXECUTED");
        // Without evidence (the CDC snapshot) occurred_at is all there is, and the same rows end pending.
        BronzeRecord snapTriggered = new Event("t", "STOP_TRIGGERED", T0.plusSeconds(5)).snapshot(null).build();
        BronzeRecord snapExecuted = new Event("x", "EXECUTED", T0.plusSeconds(3)).snapshot(null).build();
        assertThat(OperationFold.fold(List.of(snapExecuted, snapTriggered)).getStatus()).isEqualTo("PENDING");
    }

    @Test
    void a_commit_time_orders_replayed_rows_before_their_transaction_ids_do() {
        // Transaction 2_000 wrote first but committed last.
        BronzeRecord failed = new Event("f", "FAILED", T0).replayed(2_000, T0.plusSeconds(9)).build();
        BronzeRecord executed = new Event("x", "EXECUTED", T0.plusSeconds(1)).replayed(2_001, T0.plusSeconds(8)).build();
        assertThat(CommitOrder.sorted(List.of(failed, executed))).extracting(BronzeRecord::eventId).containsExactly("x", "f");
    }

    @Test
    void a_snapshot_operation_whose_event_seq_is_null_for_some_events_still_ends_executed() {
        StopExecution row = OperationFold.fold(List.of(
                new Event("s3", "EXECUTED", T0.plusSeconds(2)).snapshot(12L).build(),
                new Event("s2", "EXECUTION_SUBMITTED", T0.plusSeconds(1)).snapshot(null).build(),
                new Event("s1", "STOP_TRIGGERED", T0).snapshot(11L).build()));
        assertThat(row.getStatus()).isEqualTo("EXECUTED");
    }

    @Test
    void streamed_rows_of_one_transaction_are_ordered_by_their_own_lsn() {
        BronzeRecord second = new Event("b", "EXECUTED", T0).committedAt(50, 12).build();
        BronzeRecord first = new Event("a", "STOP_TRIGGERED", T0.plusSeconds(3)).committedAt(50, 11).build();
        BronzeRecord laterTx = new Event("c", "FAILED", T0).committedAt(60, 1).build();
        assertThat(CommitOrder.sorted(List.of(laterTx, second, first))).extracting(BronzeRecord::eventId).containsExactly("a", "b", "c");
    }

    @Test
    void a_duplicated_event_counts_once_and_its_latest_version_wins() {
        Event original = new Event("e2", "EXECUTED", T0.plusSeconds(2)).committedAt(100, 101).fill("50", "1");
        BronzeRecord replay = original.build();
        BronzeRecord update = new Event("e2", "EXECUTED", T0.plusSeconds(2)).committedAt(150, 151).fill("51", "2").kind("UPDATE").build();
        StopExecution row = OperationFold.fold(List.of(
                update, replay, original.build(),
                new Event("e1", "STOP_TRIGGERED", T0).committedAt(90, 91).build()));
        assertThat(row.getEventCount()).isEqualTo(2);
        assertThat(row.getSourceEventIds()).containsExactly("e1", "e2");
        assertThat(row.getFillPrice()).isEqualByComparingTo("51");
    }

    @Test
    void attempts_count_distinct_tokens_and_are_at_least_one() {
        StopExecution noTokens = OperationFold.fold(List.of(streamed("e1", "STOP_TRIGGERED", 0).build()));
        StopExecution threeTokens = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).token("a").build(),
                streamed("e2", "FAILED", 1).token("a").build(),
                streamed("e3", "FAILED", 2).token("b").build(),
                streamed("e4", "FAILED", 3).token("c").build()));
        assertThat(noTokens.getAttempts()).isEqualTo(1);
        assertThat(threeTokens.getAttempts()).isEqualTo(3);
    }

    @Test
    void source_is_the_latest_events_source() {
        StopExecution row = OperationFold.fold(List.of(
                streamed("e1", "STOP_TRIGGERED", 0).source("ws").build(),
                streamed("e2", "FAILED", 1).source("cron").build()));
        assertThat(row.getSource()).isEqualTo("cron");
    }

    @Test
    void entry_price_is_read_only_when_numeric() {
        assertThat(OperationFold.entryPrice("{\"entry_price\": \"101.5\"}")).isEqualByComparingTo("101.5");
        assertThat(OperationFold.entryPrice("{\"entry_price\": \"n/a\"}")).isNull();
        assertThat(OperationFold.entryPrice("{\"entry_price\": {\"v\": 1}}")).isNull();
        assertThat(OperationFold.entryPrice("{}")).isNull();
        assertThat(OperationFold.entryPrice("not json")).isNull();
        assertThat(OperationFold.entryPrice("{\"entry_price\": 1.123456789}")).isEqualByComparingTo("1.12345679");
    }

    @Test
    void an_empty_operation_is_a_programming_error() {
        assertThatThrownBy(() -> OperationFold.fold(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** A fluent bronze row for the tests. */
    static final class Event {
        private final String id;
        private final String type;
        private final Instant at;
        private Long seq;
        private String kind = "INSERT";
        private Long commitLsn;
        private Long changeLsn;
        private BigDecimal trigger;
        private BigDecimal stop;
        private BigDecimal fill;
        private BigDecimal slippage;
        private String side;
        private String token;
        private String payload = "{}";
        private String orderId;
        private String error;
        private String source = "ws";
        private Long txId;
        private Instant commitTs;

        Event(String id, String type, Instant at) {
            this.id = id;
            this.type = type;
            this.at = at;
        }

        Event committedAt(long commit, long change) { commitLsn = commit; changeLsn = change; return this; }
        Event snapshot(Long eventSeq) { kind = "SNAPSHOT"; seq = eventSeq; commitLsn = null; return this; }
        Event kind(String k) { kind = k; return this; }
        /** Read by a replay: no WAL position, its inserting transaction id and (when tracked) commit time. */
        Event replayed(long transactionId, Instant committed) { kind = "REPLAY"; commitLsn = null; txId = transactionId; commitTs = committed; return this; }
        Event prices(String triggerPrice, String stopPrice) { trigger = new BigDecimal(triggerPrice); stop = new BigDecimal(stopPrice); return this; }
        Event fill(String fillPrice, String slippagePct) { fill = new BigDecimal(fillPrice); slippage = new BigDecimal(slippagePct); return this; }
        Event side(String s) { side = s; return this; }
        Event token(String t) { token = t; return this; }
        Event payload(String p) { payload = p; return this; }
        Event orderId(String o) { orderId = o; return this; }
        Event error(String e) { error = e; return this; }
        Event source(String s) { source = s; return this; }

        BronzeRecord build() {
            return new BronzeRecord(id, seq, at, 7L, 3L, "BTCUSDC", type, trigger, stop, null, side, token, payload,
                    orderId, fill, slippage, source, error, kind, commitLsn, changeLsn, txId, commitTs, at.plusSeconds(1));
        }
    }
}
