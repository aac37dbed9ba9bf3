package io.deepstorage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** CPU seconds of the PostgreSQL server processes, by process title (walsender, backends, checkpointer, ...). */
final class ProcCpu {
    private ProcCpu() {}

    /** pid → (title group, ticks) of every process whose command line starts with "postgres". */
    static Map<Long, Map.Entry<String, Long>> postgresTicks() {
        Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
                    if (!cmd.startsWith("postgres") && !cmd.contains("/bin/postgres")) {
                        continue;
                    }
                    String title = cmd.startsWith("postgres: ") ? group(cmd.substring(10)) : "postmaster";
                    long ticks = Stats.parseStat(Files.readString(p.resolve("stat")).trim()).getValue();
                    out.put(Long.parseLong(name), Map.entry(title, ticks));
                } catch (IOException | RuntimeException ignored) {
                    // gone
                }
            }
        } catch (IOException ignored) {
            // no /proc
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
