package io.deepstorage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CPU seconds of the PostgreSQL server processes, by process title (walsender, backends, checkpointer, ...). */
final class ProcCpu {
    private ProcCpu() {}

    /**
     * pid → (title group, ticks) of the embedded server's processes: its {@code postmaster} and every process it has
     * forked (backends, walsenders, the WAL writer, ...), and no other PostgreSQL that runs on the machine.
     */
    static Map<Long, Map.Entry<String, Long>> postgresTicks(ProcessHandle postmaster) {
        Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
        List<ProcessHandle> server = new ArrayList<>();
        server.add(postmaster);
        postmaster.descendants().forEach(server::add);
        for (ProcessHandle process : server) {
            Path proc = Path.of("/proc", String.valueOf(process.pid()));
            try {
                String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
                String title = cmd.startsWith("postgres: ") ? group(cmd.substring(10)) : "postmaster";
                long ticks = Stats.parseStat(Files.readString(proc.resolve("stat")).trim()).getValue();
                out.put(process.pid(), Map.entry(title, ticks));
            } catch (IOException | RuntimeException ignored) {
                // gone, or no /proc
            }
        }
        return out;
    }

    private static String group(String title) {
        if (title.startsWith("walsender")) {
            return "walsender";
        }
        String[] w = title.split("\\s+");
        // "postgres outbox 127.0.0.1(1234) SELECT" → backend: SELECT ; "checkpointer" → checkpointer
        if (w.length >= 3 && w[2].contains("(")) {
            return "backends (client connections)";
        }
        return w[0];
    }

    /** The machine's busy and total CPU ticks so far (first line of /proc/stat; idle and iowait are not busy). */
    static long[] machineTicks() {
        try {
            return Stats.machineTicks(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** CPU seconds used between two snapshots by title group (processes that ended in between are missed). */
    static Map<String, Double> delta(Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Double> d = new HashMap<>();
        after.forEach((pid, e) -> {
            long prev = before.containsKey(pid) ? before.get(pid).getValue() : 0;
            d.merge(e.getKey(), (e.getValue() - prev) / 100.0, Double::sum);
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        d.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return sorted;
    }
}
