package io.deepstorage.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure helpers of the bench: percentiles, rates, GC-log and /proc parsing, JSON and table text. Unit-tested. */
public final class Stats {
    private Stats() {}

    /** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. Sorts a copy. */
    public static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return percentileOfSorted(sorted, p);
    }

    public static double percentileOfSorted(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (p <= 0) {
            return sorted[0];
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** rows per second; NaN when the time is not positive. */
    public static double rate(long rows, double seconds) {
        return seconds > 0 ? rows / seconds : Double.NaN;
    }

    /**
     * Rows/s over the later half of a run: parts sorted by commit time ({@code micros[i]}, {@code rows[i]}); parts
     * committed within a second of each other are one commit (a checkpoint's files); from the commit that takes the
     * total past half to the last one, the rows committed after it. It leaves out what a run of a minute spends once
     * (the first chunks and checkpoint, the JIT's warm-up). NaN without a commit after the half.
     */
    public static double laterHalfRate(long[] micros, long[] rows) {
        long total = java.util.Arrays.stream(rows).sum();
        long committed = 0;
        for (int i = 0; i < rows.length; i++) {
            committed += rows[i];
            if (2 * committed >= total) {
                int last = i;
                while (last + 1 < rows.length && micros[last + 1] - micros[i] < 1_000_000) {
                    committed += rows[++last];
                }
                double seconds = (micros[micros.length - 1] - micros[last]) / 1e6;
                return last < rows.length - 1 ? rate(total - committed, seconds) : Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /**
     * The largest heap occupancy before a collection in a {@code -Xlog:gc} log (lines like
     * {@code Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.1ms}), in bytes; -1 if the log has no
     * collection. Heap use peaks just before a collection, so this is the peak heap used up to the last GC.
     */
    public static long peakHeapBeforeGc(List<String> gcLog) {
        long peak = -1;
        for (String line : gcLog) {
            Matcher m = GC_PAUSE.matcher(line);
            while (m.find()) {
                peak = Math.max(peak, bytes(Long.parseLong(m.group(1)), m.group(2)));
            }
        }
        return peak;
    }

    private static final Pattern PAUSE_MS = Pattern.compile("\\bPause\\b.* (\\d+(?:\\.\\d+)?)ms\\s*$");

    /**
     * Seconds the application was stopped for collections in a {@code -Xlog:gc} log: the sum of the durations of
     * its "Pause ..." lines (young, mixed, full, remark, cleanup). Concurrent phases run beside the application and
     * are not in it (they show as GC thread CPU).
     */
    /** {busy, total} ticks of the "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal ...). */
    public static long[] machineTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    public static double gcPauseSeconds(List<String> gcLog) {
        double ms = 0;
        for (String line : gcLog) {
            Matcher m = PAUSE_MS.matcher(line);
            if (m.find()) {
                ms += Double.parseDouble(m.group(1));
            }
        }
        return ms / 1000;
    }

    private static long bytes(long v, String unit) {
        return switch (unit) {
            case "K" -> v << 10;
            case "M" -> v << 20;
            case "G" -> v << 30;
            default -> v;
        };
    }

    /** A value in kB of a /proc/&lt;pid&gt;/status key (VmHWM, VmRSS), in bytes; -1 if absent. */
    public static long procStatusBytes(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return -1;
    }

    /**
     * A thread's name from /proc/&lt;pid&gt;/task/&lt;tid&gt;/stat with digits and "(n/m)" indices folded, so
     * threads of one kind group together (e.g. "Sink: Writer (1" and "Sink: Writer (2" → "Sink: Writer (#").
     */
    public static String threadGroup(String comm) {
        return comm.replaceAll("\\d+", "#").replaceAll("#(-#)+", "#").trim();
    }

    /** utime+stime (clock ticks) and comm of a /proc/.../stat line; comm may contain spaces and parentheses. */
    public static Map.Entry<String, Long> parseStat(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(open + 1, close);
        String[] rest = stat.substring(close + 2).split(" ");
        // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
        long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
        return Map.entry(comm, ticks);
    }

    /** A flat JSON value: strings quoted and escaped, numbers as they are (NaN/infinite as null), maps and lists nested. */
    public static String json(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.valueOf(Math.round(d * 1000) / 1000.0));
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, val) -> {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(json(String.valueOf(k))).append(": ").append(json(val));
            });
            return b.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : l) {
                if (b.length() > 1) {
                    b.append(",\n ");
                }
                b.append(json(o));
            }
            return b.append(']').toString();
        }
        String s = v.toString();
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** An ordered map from alternating keys and values. */
    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A number for the table: thousands separators, no decimals above 100, "-" for NaN. */
    public static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format("%,d", Math.round(v));
        }
        return String.format("%.2f", v);
    }

    /** Bytes as MiB for the table, "-" when unknown (negative). */
    public static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format("%,d MiB", Math.round(bytes / 1048576.0));
    }
}
