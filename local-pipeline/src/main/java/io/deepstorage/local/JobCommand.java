package io.deepstorage.local;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs {@code ./deep-storage} runs, each in its own JVM on its own module's classpath (Flink and Spark never
 * meet). The local pipeline and the bench start jobs through the same table.
 */
public enum JobCommand {
    BRONZE("bronze", "bronze-local", "io.deepstorage.bronze.local.BronzeCommand", "2g", JvmOptions.JIT,
            "the streaming bronze job (outbox CDC → bronze Parquet) on a local Flink MiniCluster until stopped"),
    BRONZE_SLOT("bronze-slot", "bronze-local", "io.deepstorage.bronze.local.BronzeSlotCommand", "256m", JvmOptions.JIT,
            "the bronze job's replication slot: WAL retained and confirmed; --drop drops it (refused while in use)"),
    REPLAY("replay", "bronze-local", "io.deepstorage.bronze.ReplayCommand", "2g", JvmOptions.JIT,
            "re-ingests outbox rows --from a point (read from the table) into bronze beside the running job"),
    AUDIT("audit", "bronze-local", "io.deepstorage.bronze.AuditCommand", "2g", JvmOptions.JIT,
            "compares the outbox with committed bronze for some dates; --repair replays what is missing"),
    COMPACT("compact", "bronze-local", "io.deepstorage.bronze.CompactCommand", "2g", JvmOptions.JIT,
            "rewrites a closed bronze date's small parts into few large ones (--date D), rows unchanged"),
    SILVER("silver", "spark-silver", "io.deepstorage.silver.SilverJob", JvmOptions.SPARK_HEAP, JvmOptions.JIT,
            "bronze → silver/stop_executions (Spark), one row per operation"),
    GOLD("gold", "spark-gold", "io.deepstorage.gold.GoldJob", JvmOptions.SPARK_HEAP, JvmOptions.JIT,
            "silver → the versioned gold training sets (Spark)"),
    RETENTION("retention", "spark-silver", "io.deepstorage.silver.RetentionJob", "1g", JvmOptions.JIT,
            "deletes bronze (90 days) and silver (365 days) date partitions past their age, never gold; --dry-run lists them");

    public final String command;
    public final String module;
    public final String mainClass;
    public final String heap;
    /** JVM options of the job's own beyond its heap, before any the caller adds (a later one wins). */
    public final List<String> jvmOptions;
    public final String description;

    JobCommand(String command, String module, String mainClass, String heap, List<String> jvmOptions, String description) {
        this.command = command;
        this.module = module;
        this.mainClass = mainClass;
        this.heap = heap;
        this.jvmOptions = jvmOptions;
        this.description = description;
    }

    public static Optional<JobCommand> named(String name) {
        return Arrays.stream(values()).filter(c -> c.command.equals(name)).findFirst();
    }

    /** What the job's JVM needs from its surroundings beyond the caller's environment. */
    public Map<String, String> environment(Path home) {
        // Flink loads its S3 filesystem as a plugin, never from the classpath.
        return "bronze-local".equals(module)
                ? Map.of("FLINK_PLUGINS_DIR", home.resolve(module).resolve("target/flink-plugins").toString())
                : Map.of();
    }

    /** The list {@code ./deep-storage} prints without a command. */
    public static String usage() {
        StringBuilder b = new StringBuilder("Usage: ./deep-storage <command> [options]   (./deep-storage <command> --help for its options)\n");
        b.append("Every option can also be set by its environment variable, as in the Kubernetes manifests.\n");
        b.append("Commands:\n");
        for (JobCommand c : values()) {
            b.append(String.format("  %-12s %s%n", c.command, c.description));
        }
        b.append("Exit codes: 0 done, 1 refused or failed, 2 bad setting. Each job ends with one SUMMARY {json} line.");
        return b.toString();
    }

    /** JVM options that commands share (a holder: enum constants cannot read the enum's own static fields). */
    public static final class JvmOptions {
        /**
         * Silver's and gold's heap on one machine (Spark local mode: driver and tasks in one JVM): at 3g both ran with
         * the heap full at 10M events. Production gives the driver 12g. Figures: docs/benchmarks.md, "Section 4 run".
         */
        public static final String SPARK_HEAP = "6g";

        /**
         * Every job's JIT: C2 compiles a method once it is ten times as hot as by default. On two cores the compiler
         * threads took as much CPU as the Spark tasks, compiling planning code that runs a few times, and 16 of the
         * 53 CPU seconds of bronze's 1M-row backlog; the per-row loops still reach C2 (C1 alone halved a full silver
         * rebuild's speed). The manifests pass the same (Spark's --driver-java-options, the FlinkDeployment's
         * env.java.opts.taskmanager, the bronze maintenance JVMs); figures: docs/benchmarks.md, "Section 4 run" and
         * "Run of 2026-12-04". And hot methods over 8000 bytes of bytecode are compiled too, which HotSpot by default
         * never does: Spark's generated code has such methods (gold's one pass that builds every set's examples spent
         * a third of the job interpreting its row serializer); Spark's other way out, spark.sql.codegen.hugeMethodLimit
         * at 8000, left that stage without whole-stage codegen, and gold at 10M took 74 s against 66-69 with this
         * (docs/benchmarks.md, "Gold: one pass for every set").
         */
        public static final List<String> JIT = List.of("-XX:Tier4InvocationThreshold=50000",
                "-XX:Tier4MinInvocationThreshold=6000", "-XX:Tier4CompileThreshold=150000", "-XX:Tier4BackEdgeThreshold=400000",
                "-XX:-DontCompileHugeMethods");

        private JvmOptions() {}
    }
}
