package io.deepstorage.embedded;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

import io.deepstorage.schemas.EventTypes;
import io.deepstorage.schemas.SilverStatus;

/**
 * Writes realistic outbox traffic the way the Django app does: TRIGGERED → SUBMITTED → EXECUTED in one
 * transaction; on an exception that transaction is rolled back and a lone FAILED is written in a new one; guards
 * produce BLOCKED (or the guard's type); retries make new attempts with a new execution_token; event_seq is often
 * NULL. Optional extras that the pipeline must survive: a transaction that commits after a later one, an event
 * delivered twice (the relay deletes and re-inserts the same row), unknown event types and payload keys, and
 * malformed rows.
 *
 * <p>Deterministic for a given seed and the same database. It remembers what each operation should end up as, so
 * tests can check silver against it.
 */
public final class OutboxTrafficGenerator {
    private static final String INSERT = "INSERT INTO stop_events (event_id, event_seq, occurred_at, operation_id, client_id, symbol,"
            + " event_type, trigger_price, stop_price, quantity, side, execution_token, payload_json, request_payload_hash,"
            + " exchange_order_id, fill_price, slippage_pct, source, error_message, retry_count)"
            + " VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)";

    private static final String[] SYMBOLS = {"BTCUSDC", "ETHUSDC", "SOLUSDC", "BNBUSDC"};
    private static final double[] START_PRICES = {60000, 3000, 150, 550};
    private static final String[] SOURCES = {"ws", "ws", "ws", "cron", "manual"};

    /** What the generator wrote. */
    public record Result(int events, int operations, int transactions, int rolledBackTransactions, int redelivered,
                         int lateCommits, int malformed, int unknownTypeEvents, Map<Long, String> expectedStatus,
                         Map<String, Integer> eventsByType) {}

    /** Options; {@link #defaults(int)} gives a realistic mix. */
    public record Options(int targetEvents, long seed, int clients, long firstOperationId, Instant start,
                          double failureRate, double guardRate, double retryRate, int lateCommits, int redeliveries,
                          int malformed, double unknownTypeRate) {
        public static Options defaults(int targetEvents) {
            return new Options(targetEvents, 42L, 5, 1L, Instant.parse("2026-11-20T08:00:00Z"),
                    0.18, 0.10, 0.10, 2, 2, 0, 0.01);
        }

        public Options withSeed(long s) { return new Options(targetEvents, s, clients, firstOperationId, start, failureRate, guardRate, retryRate, lateCommits, redeliveries, malformed, unknownTypeRate); }
        public Options withFirstOperationId(long id) { return new Options(targetEvents, seed, clients, id, start, failureRate, guardRate, retryRate, lateCommits, redeliveries, malformed, unknownTypeRate); }
        public Options withStart(Instant s) { return new Options(targetEvents, seed, clients, firstOperationId, s, failureRate, guardRate, retryRate, lateCommits, redeliveries, malformed, unknownTypeRate); }
        public Options withMalformed(int n) { return new Options(targetEvents, seed, clients, firstOperationId, start, failureRate, guardRate, retryRate, lateCommits, redeliveries, n, unknownTypeRate); }
        public Options withLateCommits(int n) { return new Options(targetEvents, seed, clients, firstOperationId, start, failureRate, guardRate, retryRate, n, redeliveries, malformed, unknownTypeRate); }
        public Options withRedeliveries(int n) { return new Options(targetEvents, seed, clients, firstOperationId, start, failureRate, guardRate, retryRate, lateCommits, n, malformed, unknownTypeRate); }
    }

    private final Supplier<Connection> connections;
    private final Options options;
    private final Random random;
    private final double[] prices = START_PRICES.clone();
    private final Map<Long, String> expectedStatus = new LinkedHashMap<>();
    private final Map<String, Integer> eventsByType = new HashMap<>();
    private Instant clock;
    private long nextSeq;
    private int events;
    private int transactions;
    private int rolledBack;
    private int unknownTypeEvents;

    public OutboxTrafficGenerator(Supplier<Connection> connections, Options options) {
        this.connections = connections;
        this.options = options;
        this.random = new Random(options.seed());
        this.clock = options.start();
        this.nextSeq = options.firstOperationId() * 10;
    }

    /** A row about to be inserted; tests may build their own. */
    public record Row(UUID eventId, Long eventSeq, Instant occurredAt, long operationId, long clientId, String symbol,
                      String eventType, BigDecimal triggerPrice, BigDecimal stopPrice, BigDecimal quantity, String side,
                      String executionToken, String payloadJson, String requestPayloadHash, String exchangeOrderId,
                      BigDecimal fillPrice, BigDecimal slippagePct, String source, String errorMessage, int retryCount) {}

    public Result run() throws SQLException {
        long operationId = options.firstOperationId();
        int lateLeft = options.lateCommits();
        int redeliverLeft = options.redeliveries();
        int malformedLeft = options.malformed();
        int redelivered = 0;
        int late = 0;
        int malformed = 0;
        try (Connection c = connections.get(); Connection other = connections.get()) {
            c.setAutoCommit(false);
            other.setAutoCommit(false);
            while (events < options.targetEvents()) {
                long op = operationId++;
                if (lateLeft > 0 && events > options.targetEvents() / 3) {
                    // Commits after a later operation's transaction: commit order differs from occurred_at order.
                    List<Row> early = normalExecution(op, 1, 0);
                    insertAll(c, early);
                    long laterOp = operationId++;
                    List<Row> later = normalExecution(laterOp, 1, 0);
                    insertAll(other, later);
                    other.commit();
                    transactions++;
                    c.commit();
                    transactions++;
                    expectedStatus.put(op, SilverStatus.EXECUTED);
                    expectedStatus.put(laterOp, SilverStatus.EXECUTED);
                    lateLeft--;
                    late++;
                    continue;
                }
                writeOperation(c, op);
                if (redeliverLeft > 0 && events > options.targetEvents() / 2) {
                    redeliverLast(c, op);
                    redeliverLeft--;
                    redelivered++;
                }
                if (malformedLeft > 0 && events > options.targetEvents() / 4) {
                    insertAll(c, List.of(malformedRow(operationId++)));
                    c.commit();
                    transactions++;
                    malformedLeft--;
                    malformed++;
                }
            }
        }
        return new Result(events, expectedStatus.size(), transactions, rolledBack, redelivered, late, malformed,
                unknownTypeEvents, Map.copyOf(expectedStatus), Map.copyOf(eventsByType));
    }

    private void writeOperation(Connection c, long op) throws SQLException {
        double dice = random.nextDouble();
        if (dice < options.guardRate()) {
            List<Row> rows = new ArrayList<>();
            String symbol = pickSymbol();
            Row trigger = event(op, symbol, EventTypes.STOP_TRIGGERED, token(), 0);
            rows.add(trigger);
            String guard = EventTypes.GUARDS.get(random.nextInt(EventTypes.GUARDS.size()));
            rows.add(followUp(trigger, guard, "guard " + guard.toLowerCase() + " refused the order", null, null, null));
            insertAll(c, rows);
            c.commit();
            transactions++;
            expectedStatus.put(op, SilverStatus.BLOCKED);
        } else if (dice < options.guardRate() + options.failureRate()) {
            failedAttempt(c, op, 0);
            expectedStatus.put(op, SilverStatus.FAILED);
        } else if (dice < options.guardRate() + options.failureRate() + options.retryRate()) {
            failedAttempt(c, op, 0);
            insertAll(c, normalExecution(op, 1, 1));
            c.commit();
            transactions++;
            expectedStatus.put(op, SilverStatus.EXECUTED);
        } else {
            insertAll(c, normalExecution(op, 1, 0));
            c.commit();
            transactions++;
            expectedStatus.put(op, SilverStatus.EXECUTED);
        }
    }

    /** The app's exception path: the attempt's transaction rolls back, then a lone FAILED commits on its own. */
    private void failedAttempt(Connection c, long op, int retry) throws SQLException {
        List<Row> attempt = normalExecution(op, 0, retry);
        insertAll(c, attempt.subList(0, 2));
        c.rollback();
        rolledBack++;
        events -= 2;
        for (Row r : attempt.subList(0, 2)) {
            eventsByType.merge(r.eventType(), -1, Integer::sum);
        }
        Row trigger = attempt.get(0);
        Row failed = followUp(trigger, EventTypes.FAILED, "exchange rejected order: insufficient balance", null, null, null);
        insertAll(c, List.of(failed));
        c.commit();
        transactions++;
    }

    /** TRIGGERED → SUBMITTED → EXECUTED of one attempt (the EXECUTED step only when {@code executed} is 1). */
    private List<Row> normalExecution(long op, int executed, int retry) {
        String symbol = pickSymbol();
        String token = token();
        List<Row> rows = new ArrayList<>();
        Row trigger = event(op, symbol, EventTypes.STOP_TRIGGERED, token, retry);
        rows.add(trigger);
        String orderId = "ord-" + Long.toHexString(random.nextLong() & 0xffffffffffL);
        rows.add(followUp(trigger, EventTypes.EXECUTION_SUBMITTED, null, orderId, null, null));
        if (executed == 1) {
            BigDecimal stop = trigger.stopPrice();
            double slip = random.nextDouble() < 0.03 ? 10 + random.nextDouble() * 5 : random.nextDouble() * 0.8;
            BigDecimal fill = stop.multiply(BigDecimal.valueOf(1 - slip / 100)).setScale(8, RoundingMode.HALF_UP);
            BigDecimal slippage = fill.subtract(stop).divide(stop, 12, RoundingMode.HALF_UP).abs()
                    .multiply(BigDecimal.valueOf(100)).setScale(4, RoundingMode.HALF_UP);
            if (random.nextDouble() < options.unknownTypeRate()) {
                rows.add(followUp(trigger, "PARTIAL_FILL", null, orderId, fill, null));
                unknownTypeEvents++;
            }
            rows.add(followUp(trigger, EventTypes.EXECUTED, null, orderId, fill, slippage));
        }
        return rows;
    }

    private Row event(long op, String symbol, String type, String token, int retry) {
        int s = indexOf(symbol);
        prices[s] = prices[s] * Math.exp(random.nextGaussian() * 0.002);
        BigDecimal trigger = BigDecimal.valueOf(prices[s]).setScale(8, RoundingMode.HALF_UP);
        BigDecimal stop = trigger.multiply(BigDecimal.valueOf(1 + random.nextGaussian() * 0.0005)).setScale(8, RoundingMode.HALF_UP);
        BigDecimal entry = stop.multiply(BigDecimal.valueOf(1.01 + random.nextDouble() * 0.05)).setScale(8, RoundingMode.HALF_UP);
        BigDecimal qty = BigDecimal.valueOf(0.001 + random.nextDouble() * 2).setScale(8, RoundingMode.HALF_UP);
        String triggerType = random.nextBoolean() ? "STOP_LOSS" : "TRAILING_STOP";
        String extra = random.nextDouble() < 0.05 ? ", \"strategy_tag\": \"mean-revert-v2\"" : "";
        String payload = "{\"trigger_type\": \"" + triggerType + "\", \"entry_price\": \"" + entry.toPlainString()
                + "\", \"expected_pnl\": \"" + entry.subtract(stop).multiply(qty).negate().setScale(8, RoundingMode.HALF_UP).toPlainString() + "\"" + extra + "}";
        clock = clock.plus(Duration.ofMillis(200 + random.nextInt(4000)));
        return new Row(uuid(), seq(), clock, op, 1 + (op % options.clients()), symbol, type, trigger, stop, qty,
                "SELL", token, payload, hash(), null, null, null, SOURCES[random.nextInt(SOURCES.length)], null, retry);
    }

    private Row followUp(Row trigger, String type, String error, String orderId, BigDecimal fill, BigDecimal slippage) {
        clock = clock.plus(Duration.ofMillis(20 + random.nextInt(400)));
        String payload = fill == null ? "{\"trigger_type\": \"STOP_LOSS\", \"entry_price\": \"" + entryPrice(trigger) + "\"}"
                : "{\"pnl\": \"" + fill.subtract(trigger.stopPrice()).multiply(trigger.quantity()).setScale(8, RoundingMode.HALF_UP).toPlainString()
                + "\", \"fee\": \"0.00100000\"}";
        return new Row(uuid(), seq(), clock, trigger.operationId(), trigger.clientId(), trigger.symbol(), type,
                trigger.triggerPrice(), trigger.stopPrice(), trigger.quantity(), trigger.side(), trigger.executionToken(),
                payload, trigger.requestPayloadHash(), orderId, fill, slippage, trigger.source(), error, trigger.retryCount());
    }

    private static String entryPrice(Row trigger) {
        var m = java.util.regex.Pattern.compile("\"entry_price\": \"([0-9.]+)\"").matcher(trigger.payloadJson());
        return m.find() ? m.group(1) : "0";
    }

    /** A row the bronze job must send to the dead letters: blank symbol and a timestamp no app would write. */
    private Row malformedRow(long op) {
        clock = clock.plus(Duration.ofMillis(100));
        return new Row(uuid(), null, Instant.parse("1970-01-01T00:00:00Z"), op, 1, " ", EventTypes.STOP_TRIGGERED, null, null, null,
                null, null, "{}", null, null, null, null, "ws", null, 0);
    }

    /** The relay re-publishes a row: deleted and inserted again with the same event_id and content. */
    private void redeliverLast(Connection c, long op) throws SQLException {
        try (PreparedStatement copy = c.prepareStatement(
                "CREATE TEMP TABLE IF NOT EXISTS redelivery AS SELECT * FROM stop_events WITH NO DATA")) {
            copy.execute();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM redelivery")) { s.execute(); }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO redelivery SELECT * FROM stop_events WHERE operation_id = ? ORDER BY occurred_at DESC LIMIT 1")) {
            s.setLong(1, op);
            s.execute();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM stop_events WHERE event_id IN (SELECT event_id FROM redelivery)")) {
            s.execute();
        }
        c.commit();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO stop_events SELECT * FROM redelivery")) {
            s.execute();
        }
        c.commit();
        transactions += 2;
    }

    private void insertAll(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Row r : rows) {
                bind(ps, r);
                ps.addBatch();
                events++;
                eventsByType.merge(r.eventType(), 1, Integer::sum);
            }
            ps.executeBatch();
        }
    }

    /** Inserts rows in one transaction of their own, for tests that need exact rows. */
    /**
     * Re-delivers one event as the app does after a retry: deleted, then written again with the same content, in two
     * transactions. Returns its event_id.
     */
    public static String redeliverOne(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TEMP TABLE redelivered AS SELECT * FROM stop_events ORDER BY event_id LIMIT 1");
            String eventId;
            try (ResultSet rs = s.executeQuery("SELECT event_id::text FROM redelivered")) {
                rs.next();
                eventId = rs.getString(1);
            }
            s.execute("DELETE FROM stop_events WHERE event_id IN (SELECT event_id FROM redelivered)");
            c.commit();
            s.execute("INSERT INTO stop_events SELECT * FROM redelivered");
            s.execute("DROP TABLE redelivered");
            c.commit();
            return eventId;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    public static void insert(Connection c, List<Row> rows) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Row r : rows) {
                bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static void bind(PreparedStatement ps, Row r) throws SQLException {
        ps.setString(1, r.eventId().toString());
        setLong(ps, 2, r.eventSeq());
        ps.setTimestamp(3, Timestamp.from(r.occurredAt()));
        ps.setLong(4, r.operationId());
        ps.setLong(5, r.clientId());
        ps.setString(6, r.symbol());
        ps.setString(7, r.eventType());
        ps.setBigDecimal(8, r.triggerPrice());
        ps.setBigDecimal(9, r.stopPrice());
        ps.setBigDecimal(10, r.quantity());
        ps.setString(11, r.side());
        ps.setString(12, r.executionToken());
        ps.setString(13, r.payloadJson());
        ps.setString(14, r.requestPayloadHash());
        ps.setString(15, r.exchangeOrderId());
        ps.setBigDecimal(16, r.fillPrice());
        ps.setBigDecimal(17, r.slippagePct());
        ps.setString(18, r.source());
        ps.setString(19, r.errorMessage());
        ps.setInt(20, r.retryCount());
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private Long seq() {
        long s = nextSeq++;
        return random.nextDouble() < 0.5 ? null : s;
    }

    private UUID uuid() { return new UUID(random.nextLong(), random.nextLong()); }

    private String token() { return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()); }

    private String hash() { return String.format("%016x%016x", random.nextLong(), random.nextLong()); }

    private String pickSymbol() { return SYMBOLS[random.nextInt(SYMBOLS.length)]; }

    private static int indexOf(String symbol) {
        for (int i = 0; i < SYMBOLS.length; i++) {
            if (SYMBOLS[i].equals(symbol)) {
                return i;
            }
        }
        throw new IllegalArgumentException(symbol);
    }
}
