package io.deepstorage.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;
import io.deepstorage.local.JobCommand;

/**
 * ./run-bench: the decoding limit, bronze throughput (backlog and live), bronze latency, silver/gold against DuckDB,
 * backfill with our and the connector's stock snapshot settings, and peak memory of every JVM, on the embedded
 * PostgreSQL and S3 servers. Prints a table and writes it as JSON. Figures only; nothing here asserts a speed.
 */
public final class Bench {
    /** The options of ./run-bench; N and the live seconds default by --quick, so they have no default of their own. */
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag("quick", null, "N = 200,000, live 15 s, silver/gold on 200k events (a smoke run, not the reference figures)"),
            OptionSpec.flag("full", null, "also silver/gold/DuckDB on 10M generated bronze events (beyond the 15-minute budget on 2 cores)"),
            OptionSpec.value("out", null, "bench/target/bench-results.json", "where the JSON goes"),
            OptionSpec.value("rows", null, null, "N outbox rows for raw decoding, bronze backlog (= backfill with our settings) and backfill"
                    + " with stock settings, rounded down to a multiple of 3; 1,000,000 (200,000 with --quick); 1_000_000 is fine"),
            OptionSpec.value("live-rate", null, "5000", "rows/s the live producer offers while bronze streams"),
            OptionSpec.value("live-seconds", null, null, "how long the live producer runs: 30 s (15 s with --quick)"),
            OptionSpec.value("checkpoint-interval", null, "5s", "bronze's checkpoint interval, e.g. 500ms, 5s"),
            OptionSpec.value("profile", null, "0", "S > 0: also a thread dump (jcmd Thread.print) of each bronze JVM every S seconds,"
                    + " into the log folder (costs CPU: figures of such a run are not reference figures)"),
            OptionSpec.flag("lake-only", null, "only silver/gold/DuckDB (section 4), e.g. with --full for the 10M figures on their own"),
            OptionSpec.flag("replay-only", null, "only the decoding limit and the replay (sections 1 and 6), its ratio to the raw limit"),
            OptionSpec.flag("bronze-only", null, "only the decoding limit, bronze's backlog and both live cases with their latency (sections 1, 2, 3)"),
            OptionSpec.value("bronze-heap", null, "1g", "-Xmx of the bronze and replay JVMs"),
            OptionSpec.flag("jfr", null, "a flight recording of every bronze, replay, silver and gold JVM (stack samples every 10 ms); bronze's and"
                    + " the replay's summarised per stage in the JSON's profiles; the .jfr files stay in the log folder"),
            OptionSpec.value("live-max-seconds", null, null, "how long the full-speed producer commits as fast as it can: 60 s (15 s with --quick)"),
            OptionSpec.value("live-connections", null, "4", "connections of the full-speed producer, each committing 3-event transactions"),
            OptionSpec.value("live-max-warmup-seconds", null, null, "before the full-speed producers, traffic at --live-rate for this long, so"
                    + " they meet a job that has been streaming (its code compiled), as a running job is: 20 s (5 s with --quick); 0 for none"),
            OptionSpec.value("live-max-cpus", null, "split", "where the full-speed case runs: split (bronze on the upper half of the"
                    + " CPUs, PostgreSQL, the producers and the S3 server on the lower half, as on separate machines in production), shared"
                    + " (every process on every CPU) or both (about 100 s more)"),
            OptionSpec.value("snapshot-chunk-sizes", null, null, "also bronze's backlog with each of these snapshot chunk sizes (comma-separated,"
                    + " e.g. 20000,50000; fetch size as shipped), a row each beside the one with the settings as shipped"));

    /** What the options ask for, N already rounded down to whole operations of three rows. */
    record Options(Path out, long rows, int liveRate, int liveSeconds, String checkpointInterval, int profileEvery,
                   boolean lakeOnly, boolean replayOnly, List<Long> lakeSizes, boolean bronzeOnly, String bronzeHeap,
                   boolean flightRecording, int liveMaxSeconds, int liveConnections, List<Integer> snapshotChunkSizes,
                   int liveMaxWarmupSeconds, List<CpuPlacement> liveMaxPlacements) {
        /** The options of {@code args}; a bad one throws a {@link SettingException} naming it. */
        static Options parse(String[] args) {
            CommandLine cli = CommandLine.parse(args, Map.of(), OPTIONS);
            boolean quick = cli.bool("quick");
            long rows = cli.get("rows").isPresent() ? cli.longInteger("rows", 3, Long.MAX_VALUE) : quick ? 200_000 : 1_000_000;
            cli.duration("checkpoint-interval"); // checked here, handed to the bronze job as written
            boolean replayOnly = cli.bool("replay-only");
            boolean bronzeOnly = cli.bool("bronze-only");
            if ((replayOnly ? 1 : 0) + (cli.bool("lake-only") ? 1 : 0) + (bronzeOnly ? 1 : 0) > 1) {
                throw new SettingException("--replay-only, --lake-only and --bronze-only exclude each other");
            }
            String heap = cli.required("bronze-heap");
            if (!heap.matches("[1-9][0-9]*[mMgG]")) {
                throw new SettingException("--bronze-heap must be a heap size like 1g or 768m, got '" + heap + "'");
            }
            List<Long> lakeSizes = new ArrayList<>(replayOnly || bronzeOnly ? List.of() : List.of(quick ? 200_000L : 999_999L));
            if (cli.bool("full") && !replayOnly && !bronzeOnly) {
                lakeSizes.add(9_999_999L);
            }
            return new Options(Path.of(cli.required("out")), rows / 3 * 3, cli.integer("live-rate", 1, 10_000_000),
                    cli.optionalInteger("live-seconds", 1, 86_400).orElse(quick ? 15 : 30), cli.required("checkpoint-interval"),
                    cli.integer("profile", 0, 86_400), cli.bool("lake-only"), replayOnly, List.copyOf(lakeSizes), bronzeOnly, heap,
                    cli.bool("jfr"), cli.optionalInteger("live-max-seconds", 1, 86_400).orElse(quick ? 15 : 60),
                    cli.integer("live-connections", 1, 64), cli.get("snapshot-chunk-sizes").isEmpty() ? List.of() : cli.parsed("snapshot-chunk-sizes", Options::chunkSizes),
                    cli.optionalInteger("live-max-warmup-seconds", 0, 86_400).orElse(quick ? 5 : 20),
                    cli.parsed("live-max-cpus", Options::placements));
        }

        /** "shared", "split" or "both" → the placements the full-speed case runs with, in that order. */
        private static List<CpuPlacement> placements(String value) {
            return switch (value) {
                case "shared" -> List.of(CpuPlacement.SHARED);
                case "split" -> List.of(CpuPlacement.SPLIT);
                case "both" -> List.of(CpuPlacement.SHARED, CpuPlacement.SPLIT);
                default -> throw new IllegalArgumentException("must be shared, split or both, got '" + value + "'");
            };
        }

        /** "20000, 50_000" → [20000, 50000]: each a whole number above zero. */
        private static List<Integer> chunkSizes(String list) {
            List<Integer> sizes = new ArrayList<>();
            for (String size : list.split(",")) {
                if (size.isBlank()) {
                    continue;
                }
                int n;
                try {
                    n = Integer.parseInt(size.strip().replace("_", ""));
                } catch (NumberFormatException e) {
                    n = 0;
                }
                if (n < 1) {
                    throw new IllegalArgumentException("must be whole numbers above zero separated by commas, got '" + list + "'");
                }
                sizes.add(n);
            }
            return List.copyOf(sizes);
        }
    }

    static String helpText() {
        return CommandLine.helpText("./run-bench", "The decoding limit, bronze backlog/live/latency, backfill, silver/gold against"
                + " DuckDB and peak memory on the embedded servers; prints a table and writes it as JSON.\nBy default N = 1,000,000"
                + " outbox rows, live 5,000 rows/s for 30 s, silver/gold/DuckDB on 1M generated bronze events.", OPTIONS);
    }

    private final int profileEvery;
    private final boolean lakeOnly;
    private final boolean replayOnly;
    private final Options options;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final List<Map<String, Object>> memory = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> profiles = new LinkedHashMap<>();
    /** The machine's cores, counted before a split placement narrows what this JVM sees. */
    private final int cores = Runtime.getRuntime().availableProcessors();
    /** The CPUs this bench may use (a split placement halves them), read before anything is pinned. */
    private List<Integer> cpus;

    private Bench(Options o) {
        this.options = o;
        this.profileEvery = o.profileEvery();
        this.lakeOnly = o.lakeOnly();
        this.replayOnly = o.replayOnly();
    }

    public static void main(String[] args) throws Exception {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(helpText());
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (SettingException e) {
            System.err.println("run-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path home = Path.of(System.getProperty("deepstorage.home", ".")).toAbsolutePath().normalize();
        new Bench(o).run(home, o.out(), o.rows(), o.liveRate(), o.liveSeconds(),
                o.checkpointInterval(), o.lakeSizes(), String.join(" ", args));
        System.exit(0);
    }

    private void run(Path home, Path out, long n, int liveRate, int liveSeconds, String checkpoint, List<Long> lakeSizes,
                     String argLine) throws Exception {
        long started = System.nanoTime();
        Path work = home.resolve("bench/target/bench-run");
        deleteRecursively(work);
        Path logDir = work.resolve("logs");
        Files.createDirectories(logDir);
        say("bench    N = %,d rows, checkpoint interval %s, bronze parallelism 2, Spark local[2], %d cores; logs in %s",
                n, checkpoint, cores, logDir);
        try (EmbeddedPostgres pg = EmbeddedPostgres.start("outbox");
             EmbeddedS3 s3 = EmbeddedS3.start(work.resolve("s3"), "bench");
             Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Connection sql = OutboxLoad.database(pg).connect()) {
            OutboxSchema.create(sql);
            OutboxLoad.exec(duck, "SET threads = 2");
            OutboxLoad.exec(duck, "SET memory_limit = '3GB'");
            say("servers  %s, S3 %s → %s", pg.jdbcUrl(), s3.endpoint(), s3.bucketDir().getParent());

            if (lakeOnly) {
                notes.add("--lake-only: sections 1, 2, 3 and 5 not measured in this run (skipped on request).");
                latency = Stats.map("measured", false, "reason", "skipped: --lake-only");
            } else {
                // (1) the decoding limit
                double limit = Double.NaN;
                for (int perTx : new int[] {1, 3}) {
                    OutboxLoad.exec(sql, "TRUNCATE stop_events");
                    String slot = "bench_raw_" + perTx;
                    try (Connection repl = RawDecode.replicationConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                        RawDecode.createSlot(repl, slot);
                        long t0 = System.nanoTime();
                        OutboxLoad.load(sql, 0, n, perTx);
                        double insertSeconds = (System.nanoTime() - t0) / 1e9;
                        long inTable = OutboxLoad.scalarLong(sql, "SELECT count(*) FROM stop_events");
                        RawDecode.Result r = RawDecode.read(repl, slot, OutboxSchema.DEFAULT_PUBLICATION, inTable, 900);
                        double rate = Stats.rate(r.inserts(), r.seconds());
                        limit = Double.isNaN(limit) ? rate : Math.min(limit, rate);
                        row("1 raw decode", "pgoutput stream, " + perTx + " event" + (perTx > 1 ? "s" : "") + "/tx", r.inserts(), r.seconds(), rate,
                                Double.NaN, String.format("%,d inserts counted of %,d in the outbox; %,d messages; loading took %.1f s (%,.0f rows/s committed)",
                                        r.inserts(), inTable, r.messages(), insertSeconds, n / insertSeconds));
                        say("raw      %d/tx: %,d inserts in %.1f s = %,.0f rows/s", perTx, r.inserts(), r.seconds(), rate);
                    }
                    OutboxLoad.dropSlot(sql, slot);
                }
                double rawLimit = limit;
                // The table now holds N rows committed three per transaction: the backlog.
                if (replayOnly) {
                    notes.add("--replay-only: sections 2, 3, 4 and 5 not measured in this run; the replay's ratio is to the raw"
                            + " decoding limit (" + Stats.num(limit) + " rows/s, the slower of the two raw shapes).");
                    latency = Stats.map("measured", false, "reason", "skipped: --replay-only");
                    replayRow(pg, s3, home, logDir, checkpoint, limit);
                } else {

                cpus = CpuPlacement.allowedNow();
                BronzeBench bronze = new BronzeBench(pg, s3, home, logDir, duck, cpus);
                bronze.jstackEverySeconds = profileEvery;
                bronze.heap = options.bronzeHeap();
                bronze.flightRecording = options.flightRecording();
                // (2 backlog) = (5 ours), then (5 stock)
                BronzeBench.Result ours = bronze.run(new BronzeBench.Settings("backlog-ours", "bench-backlog", "bench_backlog",
                        checkpoint, 2, null, null, "initial"), null, 1500);
                OutboxLoad.dropSlot(sql, "bench_backlog");
                reportBronze(ours);
                double oursRate = Stats.rate(ours.committedRows(), ours.slotToDoneSeconds());
                if (!Double.isNaN(oursRate) && oursRate > limit) {
                    notes.add(String.format("bronze's snapshot (%,.0f rows/s) beat the raw pgoutput reader (%,.0f rows/s): the snapshot reads with"
                            + " SELECTs, not the replication stream, so the limit used for the ratio is the better of the two.", oursRate, limit));
                    limit = oursRate;
                }
                bronzeRow("2 bronze", "backlog (initial snapshot)", ours, limit);
                memoryRow("bronze backlog (ours)", ours, options.bronzeHeap());
                for (int size : options.snapshotChunkSizes()) {
                    BronzeBench.Result sized = bronze.run(new BronzeBench.Settings("backlog-chunk-" + size, "bench-chunk-" + size,
                            "bench_chunk_" + size, checkpoint, 2, size, null, "initial"), null, 1500);
                    OutboxLoad.dropSlot(sql, "bench_chunk_" + size);
                    reportBronze(sized);
                    bronzeRow("2 bronze", "backlog, snapshot chunk " + size + " (fetch as shipped)", sized, limit);
                    memoryRow("bronze backlog, chunk " + size, sized, options.bronzeHeap());
                }
                if (options.bronzeOnly()) {
                    notes.add("--bronze-only: sections 4, 5 and 6 not measured in this run (skipped on request).");
                } else {
                    BronzeBench.Result stock = bronze.run(new BronzeBench.Settings("backlog-stock", "bench-stock", "bench_stock",
                            checkpoint, 2, 8096, 1024, "initial"), null, 1500);
                    OutboxLoad.dropSlot(sql, "bench_stock");
                    reportBronze(stock);
                    bronzeRow("5 backfill", "snapshot chunk and fetch as shipped (ours)", ours, limit);
                    bronzeRow("5 backfill", "snapshot chunk 8096 / fetch 1024 (stock)", stock, limit);
                    memoryRow("bronze backlog (stock)", stock, options.bronzeHeap());

                    // (6) replay: the same backlog read again from the table into committed Parquet
                    replayRow(pg, s3, home, logDir, checkpoint, limit);
                }

                // (2 live) and (3): a producer at a fixed offered rate while bronze streams
                OutboxLoad.exec(sql, "TRUNCATE stop_events");
                long[] offered = new long[2];
                int txPerTick = Math.max(1, Math.round(liveRate / 10f / 3f));
                int seconds = liveSeconds;
                BronzeBench.Result live = bronze.run(new BronzeBench.Settings("live", "bench-live", "bench_live", checkpoint, 2,
                        null, null, "latest"), () -> {
                    say("live     bronze is streaming (--startup latest, warm-up rows committed); producing %,d rows/s for %d s", txPerTick * 30, seconds);
                    offered[0] = produce(pg, txPerTick, seconds, offered, "live producer");
                }, 1500);
                OutboxLoad.dropSlot(sql, "bench_live");
                reportBronze(live);
                long[] lat = bronze.latenciesMillis(live.parts(), liveStartMicros);
                java.util.Arrays.sort(lat);
                double offeredRate = offered[0] / (offered[1] / 1000.0);
                            double liveWindow = (live.doneMicros() - liveStartMicros) / 1e6;
                row("2 bronze", "live (stream), offered " + Stats.num(offeredRate) + " rows/s, " + seconds + " s", offered[0], liveWindow,
                        Stats.rate(offered[0], liveWindow), Double.NaN,
                        String.format("--startup latest; rows/s = produced rows / (first produced commit → last committed file), bounded by the"
                                + " offered rate: it shows bronze keeping up, not its limit; %,d warm-up rows committed before the timed traffic. %s",
                                BronzeBench.WARMUP_ROWS, checks(live)));
                row("3 latency", "commit → committed Parquet (file mtime)", lat.length, Double.NaN, Double.NaN, Double.NaN,
                        String.format("p50 %s ms, p99 %s ms, max %s ms, checkpoint interval %s; rows with source_commit_ts; offered %s rows/s",
                                Stats.num(Stats.percentileOfSorted(lat, 50)), Stats.num(Stats.percentileOfSorted(lat, 99)),
                                Stats.num(Stats.percentileOfSorted(lat, 100)), checkpoint, Stats.num(offeredRate)));
                latency = Stats.map("n", lat.length, "p50_ms", Stats.percentileOfSorted(lat, 50), "p99_ms", Stats.percentileOfSorted(lat, 99),
                        "max_ms", Stats.percentileOfSorted(lat, 100), "checkpoint_interval", checkpoint, "offered_rows_per_s", offeredRate,
                        "measured_as", "file mtime of the committed part in the S3 server's filesystem backend minus source_commit_ts");
                memoryRow("bronze live", live, options.bronzeHeap());
                say("latency  p50 %s ms, p99 %s ms, max %s ms (n = %,d)", Stats.num(Stats.percentileOfSorted(lat, 50)),
                        Stats.num(Stats.percentileOfSorted(lat, 99)), Stats.num(Stats.percentileOfSorted(lat, 100)), lat.length);

                // (2 live, full speed) and (3): producers commit as fast as they can while bronze streams
                for (CpuPlacement placement : options.liveMaxPlacements()) {
                    String unavailable = placement == CpuPlacement.SPLIT ? CpuPlacement.unavailableBecause(cpus) : null;
                    if (unavailable != null) {
                        notes.add("live, full speed, split cores: not measured (" + unavailable + ")");
                        continue;
                    }
                    OutboxLoad.exec(sql, "TRUNCATE stop_events");
                    try {
                        liveMaxRow(bronze, pg, sql, checkpoint, placement);
                    } catch (java.io.IOException pinning) {
                        if (placement == CpuPlacement.SHARED) {
                            throw pinning;
                        }
                        // taskset refused (no permission for the server's processes, say): the other figures stand.
                        notes.add("live, full speed, split cores: not measured (" + pinning.getMessage() + ")");
                        OutboxLoad.dropSlot(sql, "bench_live_max_split");
                    }
                }
                if (latencyFullSpeed.isEmpty()) {
                    latencyFullSpeed.putAll(Stats.map("measured", false, "reason", "no full-speed case ran"));
                }

                notes.add("raw decode limit used for the ratios: " + Stats.num(limit) + " rows/s" + (limit != rawLimit ? " (bronze's snapshot, faster than the raw stream reader)" : " (the slower of the two raw shapes)"));
                }
            }
            // (4) silver and gold against DuckDB
            LakeBench lake = new LakeBench(s3, home, logDir, duck);
            lake.flightRecording = options.flightRecording();
            for (long events : lakeSizes) {
                String label = events >= 9_000_000 ? "10m" : events >= 900_000 ? "1m" : (events / 1000) + "k";
                say("lake     generating %,d bronze events ...", events);
                // Then incremental silver: 10k new events on every lake, 1M more on the 10M one.
                List<Long> increments = events >= 9_000_000 ? List.of(9_999L, 999_999L) : List.of(9_999L);
                LakeBench.Result r = lake.run("bench-lake-" + label, events, increments);
                say("lake     %,d events: silver %.1f s, gold %.1f s, DuckDB %.1f s", r.events(), r.silver().wallSeconds(),
                        r.gold().wallSeconds(), r.duckdbSeconds());
                JobReport silverSummary = r.silver().summary();
                JobReport goldSummary = r.gold().summary();
                row("4 silver", "Spark local[2], " + label + " bronze events", r.events(), r.silver().wallSeconds(),
                        Stats.rate(r.events(), r.silver().wallSeconds()), r.silver().wallSeconds() / r.duckdbSeconds(),
                        String.format("ratio = silver / DuckDB; rows_in %,d, rows_out %,d (operations %,d); job's own seconds %s; wall incl. JVM+Spark start",
                                silverSummary.rowsIn(), silverSummary.rowsOut(), r.operations(), silverSummary.seconds()));
                for (LakeBench.Increment inc : r.increments()) {
                    JobReport incSummary = inc.silver().summary();
                    row("4 silver", String.format("incremental, +%,d events on the %s lake", inc.newEvents(), label), inc.newEvents(),
                            inc.silver().wallSeconds(), Stats.rate(inc.newEvents(), inc.silver().wallSeconds()),
                            inc.silver().wallSeconds() / r.silver().wallSeconds(),
                            String.format("ratio = this run / the full silver run above; mode %s, operations refolded %s, bronze dates read %s,"
                                    + " rows_out %s (refolded rows and the rows kept from the files they replace), files replaced %s;"
                                    + " job's own seconds %s; wall incl. JVM+Spark start",
                                    incSummary.text("mode"), incSummary.text("operations_refolded"), incSummary.text("bronze_dates_read"),
                                    incSummary.text("rows_out"), incSummary.text("files_replaced"), incSummary.seconds()));
                    memoryRow("silver incremental +" + inc.newEvents() + " on " + label, inc.silver().peakRss(), inc.silver().peakHeap(),
                            JobCommand.SILVER.heap);
                    say("lake     silver incremental after %,d new events: %.1f s", inc.newEvents(), inc.silver().wallSeconds());
                    profiles.put("silver incremental +" + inc.newEvents() + " on " + label + " step seconds", incSummary.values().get("step_seconds"));
                }
                row("4 gold", "Spark local[2], on that silver", r.operations(), r.gold().wallSeconds(),
                        Stats.rate(r.operations(), r.gold().wallSeconds()), Double.NaN,
                        String.format("rows_in %,d, rows_out %,d; job's own seconds %s", goldSummary.rowsIn(), goldSummary.rowsOut(), goldSummary.seconds()));
                row("4 duckdb", "latest event per operation (window), 2 threads", r.events(), r.duckdbSeconds(),
                        Stats.rate(r.events(), r.duckdbSeconds()), Double.NaN,
                        String.format("%,d rows out (operations %,d); reads the backend folder directly, writes one Parquet file", r.duckdbRows(), r.operations()));
                memoryRow("silver " + label, r.silver().peakRss(), r.silver().peakHeap(), JobCommand.SILVER.heap);
                memoryRow("gold " + label, r.gold().peakRss(), r.gold().peakHeap(), JobCommand.GOLD.heap);
                profiles.put("silver " + label + " thread CPU s", top(r.silver().cpu(), 8));
                profiles.put("silver " + label + " total CPU s / wall s", r.silver().cpuSeconds() + " / " + Math.round(r.silver().wallSeconds() * 10) / 10.0);
                profiles.put("gold " + label + " thread CPU s", top(r.gold().cpu(), 5));
                profiles.put("silver " + label + " step seconds", silverSummary.values().get("step_seconds"));
                profiles.put("gold " + label + " step seconds", goldSummary.values().get("step_seconds"));
            }
            if (lakeSizes.size() == 1 && !replayOnly) {
                notes.add("silver/gold/DuckDB on 10M events: not measured in this run (needs --full; it does not fit the 15-minute budget on 2 cores).");
            }
        }
        memoryRow("bench JVM (raw reader, S3 server, DuckDB, generator)", Stats.procStatusBytes(Files.readString(Path.of("/proc/self/status")), "VmHWM"),
                ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                        .mapToLong(p -> p.getPeakUsage().getUsed()).sum(), "2g");
        double total = (System.nanoTime() - started) / 1e9;
        String table = table(total, cores, n, checkpoint);
        System.out.println();
        System.out.println(table);
        Map<String, Object> json = Stats.map("command", "./run-bench " + argLine, "finished_at", Instant.now().toString(),
                "cores", cores, "n", n, "checkpoint_interval", checkpoint, "bronze_parallelism", 2, "total_seconds", total,
                "results", rows, "latency", latency, "latency_full_speed", latencyFullSpeed, "memory", memory, "profiles", profiles, "notes", notes);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Stats.json(json) + "\n");
        Files.writeString(work.resolve("table.txt"), table + "\n");
        System.out.println("written  " + out.toAbsolutePath());
    }

    private Map<String, Object> latency = Stats.map("measured", false, "reason", "the live run did not complete");
    private volatile long liveStartMicros;

    /** Commits txPerTick transactions of 3 rows every 100 ms for the given seconds; returns rows, sets times[1] to ms taken. */
    private long produce(EmbeddedPostgres pg, int txPerTick, int seconds, long[] times, String label) throws Exception {
        long rows = 0;
        int ticks = seconds * 10;
        int behind = 0;
        try (Connection c = OutboxLoad.database(pg).connect()) {
            long first = OutboxLoad.scalarLong(c, "SELECT coalesce(max(operation_id) * 3, 0) FROM stop_events") + 3;
            long row = first;
            long t0 = System.nanoTime();
            liveStartMicros = Clock.nowMicros();
            for (int i = 0; i < ticks; i++) {
                long due = t0 + i * 100_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } else if (wait < -50_000_000L) {
                    behind++;
                }
                OutboxLoad.exec(c, OutboxLoad.sql(row, txPerTick, 3));
                row += txPerTick * 3L;
                rows += txPerTick * 3L;
            }
            times[1] = (System.nanoTime() - t0) / 1_000_000;
        }
        if (behind > 0) {
            notes.add(label + ": " + behind + " of " + ticks + " ticks started more than 50 ms late (the offered rate is the measured one)");
        }
        return rows;
    }

    /** Per placement ("shared", "split"), the full-speed case's latency and rates. */
    private final Map<String, Object> latencyFullSpeed = new LinkedHashMap<>();

    /**
     * Bronze streaming while {@code --live-connections} producers commit 3-event transactions as fast as they can for
     * {@code --live-max-seconds}: the producers' commit rate, the rate bronze committed the same rows at (first produced
     * commit → last committed part), their ratio, and commit → committed-Parquet latency.
     */
    private void liveMaxRow(BronzeBench bronze, EmbeddedPostgres pg, Connection sql, String checkpoint, CpuPlacement placement)
            throws Exception {
        int connections = options.liveConnections();
        int seconds = options.liveMaxSeconds();
        int warmup = options.liveMaxWarmupSeconds();
        int txPerTick = Math.max(1, Math.round(options.liveRate() / 10f / 3f));
        String where = placement == CpuPlacement.SPLIT ? String.format("%s (bronze on CPU %s; PostgreSQL, producers and S3 server on CPU %s)",
                placement.label, CpuPlacement.jobCpus(cpus), CpuPlacement.otherCpus(cpus)) : placement.label;
        String key = "live-max-" + placement.name().toLowerCase(java.util.Locale.ROOT);
        long[] produced = new long[2];
        BronzeBench.Result r = bronze.run(new BronzeBench.Settings(key, "bench-" + key, "bench_" + key.replace('-', '_'), checkpoint, 2,
                null, null, "latest", placement), () -> {
            if (warmup > 0) {
                say("live     bronze is streaming, %s; %,d rows/s for %d s first (warm-up, not timed)", where, txPerTick * 30, warmup);
                produce(pg, txPerTick, warmup, new long[2], "full-speed warm-up, " + placement.label);
            }
            say("live     %d connections commit 3-event transactions as fast as they can for %d s (%s)", connections, seconds, where);
            produceFlatOut(pg, connections, seconds, produced, placement);
        }, 1800);
        OutboxLoad.dropSlot(sql, "bench_" + key.replace('-', '_'));
        reportBronze(r);
        double producerSeconds = produced[1] / 1000.0;
        double producerRate = produced[0] / producerSeconds;
        double window = (r.doneMicros() - liveStartMicros) / 1e6;
        // Every row waits for the next checkpoint by design; bronze keeps up when (nearly) every produced row is
        // committed by the producers' stop plus one interval plus the 2 s the latency goal allows. Rows of the
        // warm-up committed before the timed window, so they are not counted.
        long stopMicros = liveStartMicros + produced[1] * 1000;
        long marginMicros = (io.deepstorage.cli.Durations.parse(checkpoint).toMillis() + 2000) * 1000;
        long committedInTime = bronze.rowsCommittedBy(r.parts(), liveStartMicros, stopMicros + marginMicros);
        double committedRate = committedInTime / producerSeconds;
        long[] lat = bronze.latenciesMillis(r.parts(), liveStartMicros);
        java.util.Arrays.sort(lat);
        row("2 bronze", String.format("live, full speed, %d conns × 3 events/tx, %d s, %s", connections, seconds, placement.label),
                produced[0], producerSeconds, committedRate, committedRate / producerRate,
                String.format("%s; after %d s at %s rows/s (warm-up, not counted); rows/s = rows committed by the producers' stop +"
                        + " checkpoint interval + 2 s (%,d of %,d) ÷ the %.1f s they produced; ratio = that ÷ the producers' commit rate"
                        + " (%s rows/s); all rows committed %.1f s after the first produced commit (%s rows/s end to end); GC pauses %.1f s. %s",
                        where, warmup, Stats.num(txPerTick * 30), committedInTime, produced[0], producerSeconds, Stats.num(producerRate),
                        window, Stats.num(Stats.rate(produced[0], window)), r.gcPauseSeconds(), checks(r)));
        row("3 latency", "full speed, " + placement.label + ": commit → committed Parquet", lat.length, Double.NaN, Double.NaN, Double.NaN,
                String.format("p50 %s ms, p99 %s ms, max %s ms, checkpoint interval %s; goal p99 ≤ interval + 2 s",
                        Stats.num(Stats.percentileOfSorted(lat, 50)), Stats.num(Stats.percentileOfSorted(lat, 99)),
                        Stats.num(Stats.percentileOfSorted(lat, 100)), checkpoint));
        latencyFullSpeed.put(placement.name().toLowerCase(java.util.Locale.ROOT), Stats.map("n", lat.length,
                "p50_ms", Stats.percentileOfSorted(lat, 50), "p99_ms", Stats.percentileOfSorted(lat, 99),
                "max_ms", Stats.percentileOfSorted(lat, 100), "checkpoint_interval", checkpoint, "producer_rows_per_s", producerRate,
                "committed_rows_per_s", committedRate, "connections", connections, "seconds", seconds, "warmup_seconds", warmup,
                "placement", where));
        memoryRow("bronze live, full speed, " + placement.label, r, options.bronzeHeap());
        say("live     full speed, %s: producers %,.0f rows/s, bronze committed %,.0f rows/s (%.2f); latency p50 %s ms, p99 %s ms, max %s ms",
                placement.label, producerRate, committedRate, committedRate / producerRate, Stats.num(Stats.percentileOfSorted(lat, 50)),
                Stats.num(Stats.percentileOfSorted(lat, 99)), Stats.num(Stats.percentileOfSorted(lat, 100)));
    }

    /**
     * {@code connections} threads, each on its own connection, commit 3-event transactions back to back (ten per round
     * trip, each its own COMMIT) for {@code seconds}; rows are numbered from one shared counter so all of them fall in the
     * same few days, as live traffic does. Sets out[0] to the rows committed and out[1] to the ms taken.
     */
    private void produceFlatOut(EmbeddedPostgres pg, int connections, int seconds, long[] out, CpuPlacement placement) throws Exception {
        long first;
        try (Connection c = OutboxLoad.database(pg).connect()) {
            first = OutboxLoad.scalarLong(c, "SELECT coalesce(max(operation_id) * 3, 0) FROM stop_events") + 3;
        }
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong(first);
        java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
        int txPerStatement = 10;
        Map<Long, Map.Entry<String, Long>> pgBefore = ProcCpu.postgresTicks(pg.postmaster());
        Map<Long, Map.Entry<String, Long>> pgLatest = new java.util.concurrent.ConcurrentHashMap<>(pgBefore);
        long[] machineBefore = ProcCpu.machineTicks();
        long t0 = System.nanoTime();
        liveStartMicros = Clock.nowMicros();
        long end = t0 + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = OutboxLoad.database(pg).connect()) {
                    while (System.nanoTime() < end) {
                        long row = next.getAndAdd(txPerStatement * 3L);
                        OutboxLoad.exec(c, OutboxLoad.sql(row, txPerStatement, 3));
                        rows.addAndGet(txPerStatement * 3L);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "producer-" + i);
            threads.add(t);
            t.start();
        }
        while (threads.stream().anyMatch(Thread::isAlive)) {
            pgLatest.putAll(ProcCpu.postgresTicks(pg.postmaster())); // the producers' backends end with their connections
            Thread.sleep(500);
        }
        out[1] = (System.nanoTime() - t0) / 1_000_000;
        out[0] = rows.get();
        long[] machineAfter = ProcCpu.machineTicks();
        double busy = (machineAfter[0] - machineBefore[0]) / (double) Math.max(1, machineAfter[1] - machineBefore[1]);
        profiles.put("live full speed, " + placement.label + ": machine busy while producing (share of all cores)", Math.round(busy * 1000) / 1000.0);
        profiles.put("live full speed, " + placement.label + ": PostgreSQL CPU s while producing", ProcCpu.delta(pgBefore, pgLatest));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a full-speed producer failed", failures.get(0));
        }
    }

    private void reportBronze(BronzeBench.Result r) {
        say("bronze   %s: %,d rows committed in %d files, %.1f s from job start to last commit (%.1f s of it JVM+MiniCluster until the slot existed); %s",
                r.settings().label(), r.committedRows(), r.parts().size(), r.processStartToDoneSeconds(), r.processStartToSlotSeconds(), checks(r));
        profiles.put("bronze " + r.settings().label() + " thread CPU s (top 10)", top(r.jobCpu(), 10));
        profiles.put("bronze " + r.settings().label() + " total CPU s / wall s", Math.round(r.childCpuSeconds() * 10) / 10.0 + " / "
                + Math.round(r.processStartToDoneSeconds() * 10) / 10.0);
        profiles.put("bronze " + r.settings().label() + " PostgreSQL CPU s", top(r.postgresCpu(), 6));
        profiles.put("bronze " + r.settings().label() + " GC pauses s / share of wall", Math.round(r.gcPauseSeconds() * 10) / 10.0 + " / "
                + Math.round(1000 * r.gcPauseSeconds() / r.processStartToDoneSeconds()) / 1000.0);
        if (r.profile() != null) {
            profiles.put("bronze " + r.settings().label() + " flight recording", r.profile().toMap());
        }
    }

    private static String checks(BronzeBench.Result r) {
        boolean ok = r.committedRows() == r.expectedRows() && r.distinctEventIds() == r.expectedRows();
        return String.format("%s: outbox %,d rows, committed %,d rows, %,d distinct event_ids; job %s",
                ok ? "counts match" : "COUNTS DIFFER", r.expectedRows(), r.committedRows(), r.distinctEventIds(), r.summary().line());
    }

    private void bronzeRow(String section, String label, BronzeBench.Result r, double limit) {
        double rate = Stats.rate(r.committedRows(), r.slotToDoneSeconds());
        List<BronzeBench.Part> parts = r.parts().stream().sorted(java.util.Comparator.comparingLong(BronzeBench.Part::mtimeMicros)).toList();
        double laterHalf = Stats.laterHalfRate(parts.stream().mapToLong(BronzeBench.Part::mtimeMicros).toArray(),
                parts.stream().mapToLong(BronzeBench.Part::rows).toArray());
        row(section, label, r.committedRows(), r.slotToDoneSeconds(), rate, rate / limit,
                String.format("seconds = slot created → last part committed; the later half of the rows at %s rows/s (ratio %.2f: without"
                        + " the first chunks, the first checkpoint and the JIT's warm-up); from JVM start %.1f s (%s rows/s); GC pauses %.1f s (%.1f %% of"
                        + " the JVM's wall), peak heap %s of -Xmx%s. %s", Stats.num(laterHalf), laterHalf / limit, r.processStartToDoneSeconds(),
                        Stats.num(Stats.rate(r.committedRows(), r.processStartToDoneSeconds())), r.gcPauseSeconds(),
                        100 * r.gcPauseSeconds() / r.processStartToDoneSeconds(), Stats.mib(r.peakHeap()), options.bronzeHeap(), checks(r)));
    }

    /**
     * {@code ./deep-storage replay --from beginning} over the backlog into a bucket of its own: rows/s into committed
     * Parquet, from JVM start to the job's end (the replay's own seconds), and the ratio to the decoding limit.
     */
    private void replayRow(EmbeddedPostgres pg, EmbeddedS3 s3, Path home, Path logDir, String checkpoint, double limit)
            throws Exception {
        s3.blobStore().createContainerInLocation(null, "bench-replay");
        List<String> args = List.of("--pg-host", pg.host(), "--pg-port", String.valueOf(pg.port()), "--pg-database",
                pg.database(), "--pg-user", pg.user(), "--bucket", "bench-replay", "--s3-endpoint", s3.endpoint(),
                "--from", "beginning", "--checkpoint-interval", checkpoint, "--parallelism", "2", "--replay-chunks", "16");
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "PG_PASSWORD", pg.password());
        Path jfr = logDir.resolve("replay.jfr-repository");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.bronzeHeap()));
        if (options.flightRecording()) {
            jvm.addAll(ChildJvm.flightRecording(jfr));
        }
        try (ChildJvm job = ChildJvm.start("replay", home, JobCommand.REPLAY, jvm, args, env, logDir)) {
            JobReport summary = job.awaitReport(1800);
            int exit = job.awaitExit(120);
            double wall = (System.nanoTime() - job.startedNanos) / 1e9;
            if (summary.kind() != JobReport.Kind.SUMMARY || exit != 0) {
                throw new IllegalStateException("replay ended " + exit + " without a summary; see " + job.log());
            }
            double seconds = Double.parseDouble(summary.text("job_seconds"));
            double rate = Stats.rate(summary.rowsOut(), seconds);
            row("6 replay", "--from beginning, 16 chunks, parallelism 2", summary.rowsOut(), seconds, rate, rate / limit,
                    String.format("seconds = the replay job's (submitted → finished, last files committed); from JVM"
                            + " start %.1f s (%s rows/s); %,d files; peak RSS %s", wall, Stats.num(Stats.rate(summary.rowsOut(), wall)),
                            summary.filesWritten(), Stats.num(job.peakRss() / 1e6) + " MB"));
            memoryRow("replay", job.peakRss(), job.peakHeap(), options.bronzeHeap(), job.gcPauseSeconds() / wall);
            profiles.put("replay GC pauses s / share of wall", Math.round(job.gcPauseSeconds() * 10) / 10.0 + " / "
                    + Math.round(1000 * job.gcPauseSeconds() / wall) / 1000.0);
            if (options.flightRecording() && Files.exists(jfr)) {
                profiles.put("replay flight recording", JfrProfile.read(jfr).toMap());
            }
            say("replay   %,d rows in %.1f s = %,.0f rows/s (%.2f of the limit)", summary.rowsOut(), seconds, rate, rate / limit);
        }
    }

    private void row(String section, String label, long n, double seconds, double rate, double ratio, String note) {
        rows.add(Stats.map("section", section, "case", label, "n", n, "seconds", seconds, "rows_per_s", rate,
                "ratio", ratio, "notes", note));
    }

    private void memoryRow(String jvm, long rss, long heap, String xmx) {
        memoryRow(jvm, rss, heap, xmx, Double.NaN);
    }

    /** {@code gcShare}: seconds paused for GC ÷ the JVM's wall seconds (NaN when not known). */
    private void memoryRow(String jvm, long rss, long heap, String xmx, double gcShare) {
        memory.add(Stats.map("jvm", jvm, "peak_rss_bytes", rss, "peak_heap_used_bytes", heap, "xmx", xmx, "gc_pause_share", gcShare));
    }

    private void memoryRow(String jvm, BronzeBench.Result r, String xmx) {
        memoryRow(jvm, r.peakRss(), r.peakHeap(), xmx, r.gcPauseSeconds() / r.processStartToDoneSeconds());
    }

    private static Map<String, Double> top(Map<String, Double> m, int k) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.entrySet().stream().limit(k).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private String table(double total, int cores, long n, String checkpoint) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("Deep Storage bench: N = %,d, checkpoint interval %s, bronze parallelism 2, Spark local[2], %d cores%n", n, checkpoint, cores));
        b.append(String.format("%-11s %-44s %12s %9s %10s %6s%n", "section", "case", "N", "seconds", "rows/s", "ratio"));
        for (Map<String, Object> r : rows) {
            b.append(String.format("%-11s %-44s %,12d %9s %10s %6s%n", r.get("section"), r.get("case"), (Long) r.get("n"),
                    Stats.num((Double) r.get("seconds")), Stats.num((Double) r.get("rows_per_s")), Stats.num((Double) r.get("ratio"))));
        }
        b.append(String.format("%nratio: bronze and backfill rows/s ÷ the decoding limit; silver wall ÷ DuckDB wall%n"));
        if (latency.containsKey("p50_ms")) {
            b.append(String.format("latency (commit → committed Parquet, file mtime): p50 %s ms, p99 %s ms, max %s ms over %,d rows; checkpoint interval %s%n",
                    Stats.num((Double) latency.get("p50_ms")), Stats.num((Double) latency.get("p99_ms")), Stats.num((Double) latency.get("max_ms")),
                    latency.get("n"), checkpoint));
        } else {
            b.append("latency: not measured (" + latency.get("reason") + ")\n");
        }
        b.append(String.format("%n%-52s %12s %16s %6s %10s%n", "peak memory of each JVM", "RSS (VmHWM)", "heap used (GC)", "-Xmx", "GC pauses"));
        for (Map<String, Object> m : memory) {
            double gc = (Double) m.get("gc_pause_share");
            b.append(String.format("%-52s %12s %16s %6s %10s%n", m.get("jvm"), Stats.mib((Long) m.get("peak_rss_bytes")),
                    Stats.mib((Long) m.get("peak_heap_used_bytes")), m.get("xmx"), Double.isNaN(gc) ? "-" : String.format("%.1f %%", 100 * gc)));
        }
        b.append("\nnotes\n");
        for (Map<String, Object> r : rows) {
            b.append("  ").append(r.get("section")).append(" | ").append(r.get("case")).append(": ").append(r.get("notes")).append('\n');
        }
        notes.forEach(x -> b.append("  ").append(x).append('\n'));
        b.append(String.format("total %.1f s%n", total));
        return b.toString();
    }

    private static void say(String format, Object... args) {
        System.out.printf("%s %s%n", java.time.LocalTime.now().withNano(0), String.format(format, args));
        System.out.flush();
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
