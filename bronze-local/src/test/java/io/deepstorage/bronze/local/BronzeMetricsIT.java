package io.deepstorage.bronze.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.BronzeJob;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/**
 * The bronze job's metrics as Prometheus sees them: the real job on the MiniCluster with Flink's Prometheus reporter
 * (configured as in k8s/manifests/50-flink-bronze.yaml), known traffic, and a scrape of its HTTP endpoint. The names
 * are spelled out here as Prometheus exports them, because they are what the alerts and the runbook use.
 */
class BronzeMetricsIT {
    static final String BRONZE = "flink_taskmanager_job_task_operator_bronze_";
    static final Path ALERTS = Path.of("..", "k8s", "manifests", "70-bronze-alerts.yaml");

    @Test
    void theRunningJobExportsItsCountsSourceLagSlotWalAndCommittedFilesToPrometheus() throws Exception {
        BronzeSettings settings = LakeServers.freshOutboxAndLake("--slot-name", "deep_storage_metrics");
        try (Connection c = LakeServers.connect(settings)) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(40)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        int port = freePort();
        Configuration conf = new Configuration(LakeServers.flinkConf());
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(port));

        try (BronzeLocalRun run = BronzeLocalRun.start(settings, conf)) {
            run.awaitCaughtUp(Duration.ofMinutes(3));
            int malformed;
            try (Connection c = LakeServers.connect(settings)) {
                OutboxTrafficGenerator.redeliverOne(c); // a delete, then the same row again: one duplicate
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("UPDATE stop_events SET error_message = 'corrected by hand'"
                            + " WHERE event_id = (SELECT max(event_id::text)::uuid FROM stop_events)")).isEqualTo(1);
                }
                // The generator closes the connection it is given.
                malformed = new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(30)
                        .withSeed(7).withFirstOperationId(10_000).withStart(Instant.parse("2026-11-21T10:00:00Z"))
                        .withLateCommits(0).withRedeliveries(0).withMalformed(2)).run().malformed();
            }
            assertThat(malformed).isEqualTo(2);
            run.awaitCaughtUp(Duration.ofMinutes(3));

            long outboxRows = run.outboxEventIds().size();
            long eventFiles = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS).files().size();
            long deadLetterFiles = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_DEAD_LETTERS).files().size();
            // Every snapshot row and streamed insert, plus the delete, the re-insert and the update.
            long changes = outboxRows + 3;
            Scrape m = awaitScrape(port, s -> s.sum(BRONZE + "eventsIn") == changes
                    && s.sum(BRONZE + "sink_filesCommitted", "sink", "events") == eventFiles
                    && s.sum(BRONZE + "sink_filesCommitted", "sink", "dead_letters") == deadLetterFiles);

            // What Prometheus scrapes, for the record (bronze's own series and the job metrics the alerts use).
            m.samples().stream()
                    .filter(s -> s.name().startsWith(BRONZE) || s.name().startsWith("flink_jobmanager_job_num"))
                    .forEach(s -> System.out.printf("SCRAPED %s{job_name=%s,operator_name=%s,subtask_index=%s%s} %s%n",
                            s.name(), s.labels().get("job_name"), s.labels().get("operator_name"),
                            s.labels().get("subtask_index"), s.labels().containsKey("sink") ? ",sink=" + s.labels().get("sink") : "",
                            s.value()));
            assertThat(m.sum(BRONZE + "eventsIn")).isEqualTo(changes);
            assertThat(m.sum(BRONZE + "duplicatesDropped")).isEqualTo(1);
            assertThat(m.sum(BRONZE + "outboxDeletes")).isEqualTo(1);
            assertThat(m.sum(BRONZE + "outboxUpdates")).isEqualTo(1);
            assertThat(m.sum(BRONZE + "deadLetters")).isEqualTo(2);
            assertThat(eventFiles).isPositive();
            assertThat(deadLetterFiles).isPositive();
            assertThat(m.sum(BRONZE + "sink_filesCommitted", "sink", "events")).isEqualTo(eventFiles);
            assertThat(m.sum(BRONZE + "sink_filesCommitted", "sink", "dead_letters")).isEqualTo(deadLetterFiles);
            // The subtask that reads the stream has a lag (milliseconds, this machine's clock for both ends); the
            // other reads -1 (nothing streamed).
            assertThat(m.max(BRONZE + "sourceLagMs")).isBetween(0.0, 120_000.0);
            assertThat(m.max(BRONZE + "slotRetainedWalBytes")).isPositive();
            assertThat(m.max(BRONZE + "slotUnconfirmedWalBytes")).isNotNegative();
            assertThat(m.max(BRONZE + "slotStreaming")).isEqualTo(1);
            assertThat(m.sum("flink_jobmanager_job_numRestarts")).isZero();
            assertThat(m.sum("flink_jobmanager_job_numberOfCompletedCheckpoints")).isPositive();
            assertThat(m.series("flink_jobmanager_job_numberOfFailedCheckpoints")).isNotEmpty();
            // The reporter writes label values with '_' for characters such as '-' (filterLabelValueCharacters).
            assertThat(m.series(BRONZE + "eventsIn")).allSatisfy(s -> assertThat(s.labels())
                    .containsEntry("job_name", BronzeJob.JOB_NAME.replace('-', '_'))
                    .containsKeys("task_name", "operator_name", "subtask_index", "tm_id", "host"));

            // The alerts cannot drift from the job: every metric they name is exported, and every label value
            // they select on is one the job's series carry.
            String alerts = Files.readString(ALERTS);
            Set<String> used = metricNamesIn(alerts);
            assertThat(used).as("metrics named in " + ALERTS).isNotEmpty();
            for (String name : used) {
                assertThat(m.series(name)).as(name + " (named in " + ALERTS + ")").isNotEmpty();
            }
            List<Selector> selectors = selectorsIn(alerts);
            assertThat(selectors).as("selectors in " + ALERTS).isNotEmpty();
            for (Selector selector : selectors) {
                assertThat(m.series(selector.name())).as(selector + " (in " + ALERTS + ")")
                        .anySatisfy(s -> assertThat(s.labels()).containsAllEntriesOf(selector.matchers()));
            }
        }
    }

    static Set<String> metricNamesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\bflink_[A-Za-z0-9_]+").matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    record Selector(String name, Map<String, String> matchers) {}

    /** Each {@code flink_…{…}} selector in {@code text}, with its equality label matchers. */
    static List<Selector> selectorsIn(String text) {
        List<Selector> selectors = new ArrayList<>();
        Matcher selector = Pattern.compile("\\b(flink_[A-Za-z0-9_]+)\\{([^}]*)}").matcher(text);
        while (selector.find()) {
            Map<String, String> matchers = new LinkedHashMap<>();
            Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"").matcher(selector.group(2));
            while (label.find()) {
                matchers.put(label.group(1), label.group(2));
            }
            selectors.add(new Selector(selector.group(1), matchers));
        }
        return selectors;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Scrapes until {@code done} holds or a minute has passed, and returns the last scrape. */
    static Scrape awaitScrape(int port, Predicate<Scrape> done) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (true) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            Scrape scrape = Scrape.parse(response.body());
            if (done.test(scrape) || Instant.now().isAfter(deadline)) {
                return scrape;
            }
            Thread.sleep(500);
        }
    }

    /** One sample of the Prometheus text format. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A parsed scrape: the samples by metric name. */
    record Scrape(List<Sample> samples) {
        private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

        static Scrape parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line.trim());
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a Prometheus sample: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return new Scrape(samples);
        }

        List<Sample> series(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }

        /** The sum over a metric's series (0 when there is none), optionally those with one label value. */
        double sum(String name, String... labelAndValue) {
            return series(name).stream()
                    .filter(s -> labelAndValue.length == 0 || labelAndValue[1].equals(s.labels().get(labelAndValue[0])))
                    .mapToDouble(Sample::value).sum();
        }

        /** The largest value of a metric's series; NaN when there is none. */
        double max(String name) {
            return series(name).stream().mapToDouble(Sample::value).max().orElse(Double.NaN);
        }
    }
}
