package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.AuditCommand;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/** The completeness audit finds a bronze object deleted by hand, and its repair restores exactly what was lost. */
class AuditIT {
    static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @Test
    void aBronzeObjectDeletedByHandIsFoundMissingAndTheRepairRestoresEachOfItsEventsOnce() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_audit");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(400).withStart(START)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        try (BronzeLocalRun run = BronzeLocalRun.start(settings, LakeServers.flinkConf())) {
            run.awaitCaughtUp(Duration.ofMinutes(3));
            run.stopWithSavepoint();
        }
        String[] audit = LakeServers.where(settings, "--from", "2026-11-19", "--to", "2026-11-22", "--horizon", "1s");
        JobReport complete = AuditCommand.run(audit, LakeServers.env(settings));
        assertThat(complete.count("missing")).isZero();
        assertThat(complete.count("outbox_rows")).isEqualTo(LakeServers.outboxIds(settings).size());

        CommittedParts bronze = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        LakeLayout.Entry lost = bronze.files().get(0);
        int lostEvents = bronze.eventIds(lost).size();
        new Path(lost.path()).getFileSystem().delete(new Path(lost.path()), false);

        List<String> pushed = new CopyOnWriteArrayList<>();
        HttpServer pushgateway = pushgateway(pushed);
        JobReport gap;
        try {
            String[] auditAndPush = LakeServers.where(settings, "--from", "2026-11-19", "--to", "2026-11-22",
                    "--horizon", "1s", "--metrics-push-url", "http://127.0.0.1:" + pushgateway.getAddress().getPort());
            gap = AuditCommand.run(auditAndPush, LakeServers.env(settings));
        } finally {
            pushgateway.stop(0);
        }
        System.out.println("audit after deleting " + lost.name() + " (" + lostEvents + " events): " + gap.line());
        assertThat(gap.count("missing")).isEqualTo(lostEvents).isPositive();
        assertThat(gap.text("missing_first")).isNotBlank();
        assertThat(pushed).singleElement().asString()
                .startsWith("PUT /metrics/job/deep_storage_audit\n")
                .contains("deep_storage_audit_missing_events{from=\"2026-11-19\",to=\"2026-11-22\"} " + lostEvents + "\n")
                .contains("deep_storage_audit_last_run_timestamp_seconds ");

        String[] repair = LakeServers.where(settings, "--from", "2026-11-19", "--to", "2026-11-22", "--horizon", "1s",
                "--repair");
        JobReport repaired = AuditCommand.run(repair, LakeServers.env(settings));
        System.out.println("audit --repair: " + repaired.line());
        assertThat(repaired.count("repaired")).isEqualTo(lostEvents);
        assertThat(repaired.count("missing")).isZero();
        List<String> ids = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).eventIds();
        assertThat(ids).as("each event once: the repair wrote only what was missing").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(LakeServers.outboxIds(settings));
    }

    /** A stand-in for Prometheus' Pushgateway on 127.0.0.1: records each request's method, path and body. */
    private static HttpServer pushgateway(List<String> requests) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + "\n" + body);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
