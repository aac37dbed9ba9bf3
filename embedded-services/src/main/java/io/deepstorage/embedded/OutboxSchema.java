package io.deepstorage.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The outbox table exactly as the Django app creates it (data contract), and the publication the bronze job reads.
 * Our pipeline never writes to this table in production; tests and the local run create it here.
 */
public final class OutboxSchema {
    public static final String TABLE = "stop_events";
    public static final String DEFAULT_PUBLICATION = "deep_storage_bronze";

    public static final String CREATE_TABLE = """
            CREATE TABLE IF NOT EXISTS stop_events (
              event_id             uuid          PRIMARY KEY,
              event_seq            bigint        UNIQUE NULL,
              occurred_at          timestamptz   NOT NULL,
              operation_id         bigint        NOT NULL,
              client_id            bigint        NOT NULL,
              symbol               varchar(20)   NOT NULL,
              event_type           varchar(50)   NOT NULL,
              trigger_price        numeric(20,8) NULL,
              stop_price           numeric(20,8) NULL,
              quantity             numeric(20,8) NULL,
              side                 varchar(10)   NULL,
              execution_token      varchar(64)   NULL,
              payload_json         jsonb         NOT NULL DEFAULT '{}',
              request_payload_hash varchar(64)   NULL,
              exchange_order_id    varchar(100)  NULL,
              fill_price           numeric(20,8) NULL,
              slippage_pct         numeric(10,4) NULL,
              source               varchar(20)   NOT NULL,
              error_message        text          NULL,
              retry_count          integer       NOT NULL DEFAULT 0
            )""";

    private static final String[] INDEXES = {
        "CREATE INDEX IF NOT EXISTS stop_events_operation_seq ON stop_events (operation_id, event_seq)",
        "CREATE INDEX IF NOT EXISTS stop_events_client_time ON stop_events (client_id, occurred_at)",
        "CREATE INDEX IF NOT EXISTS stop_events_type_time ON stop_events (event_type, occurred_at)",
        "CREATE INDEX IF NOT EXISTS stop_events_source_time ON stop_events (source, occurred_at)",
        "CREATE INDEX IF NOT EXISTS stop_events_symbol_time ON stop_events (symbol, occurred_at)",
    };

    private OutboxSchema() {}

    /** The DBA's one-time setup for the bronze job: the publication and min/max(uuid) for snapshot chunking. */
    public static final String CDC_SETUP_RESOURCE = "/sql/outbox-cdc-setup.sql";

    /** Creates the table and its indexes, then runs the same CDC setup a DBA runs in production. */
    public static void create(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(CREATE_TABLE);
            for (String index : INDEXES) {
                s.execute(index);
            }
            s.execute(cdcSetupSql());
        }
    }

    public static String cdcSetupSql() {
        try (var in = OutboxSchema.class.getResourceAsStream(CDC_SETUP_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CDC_SETUP_RESOURCE + " is not on the classpath (shared-schemas)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void createPublication(Connection connection, String publication) throws SQLException {
        try (Statement s = connection.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_publication WHERE pubname = '" + publication.replace("'", "''") + "'");
            if (!rs.next()) {
                s.execute("CREATE PUBLICATION \"" + publication + "\" FOR TABLE " + TABLE);
            }
        }
    }
}
