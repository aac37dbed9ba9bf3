package io.deepstorage.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One job in its own JVM on its module's classpath (target/classes + job-classpath.txt + job-classpath-provided.txt),
 * as the local pipeline runs it, watched from outside: peak RSS (VmHWM of /proc/&lt;pid&gt;/status, sampled while it
 * runs), peak heap used (largest occupancy before a GC in its -Xlog:gc file), and CPU time per thread group
 * (utime+stime of /proc/&lt;pid&gt;/task/*&#47;stat, sampled while it runs).
 */
final class ChildJvm implements AutoCloseable {
    static final List<String> JAVA17_OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    final String name;
    final long startedNanos;
    final long startedEpochMicros;
    private final Process process;
    private final Path log;
    private final Path gcLog;
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
    private final Thread pump;
    private final Thread sampler;
    private volatile long peakRss = -1;
    private final Map<Long, Map.Entry<String, Long>> threadTicks = new HashMap<>();

    private ChildJvm(String name, Process process, Path log, Path gcLog, PrintStream logOut, long startedNanos, long startedEpochMicros) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
        this.startedNanos = startedNanos;
        this.startedEpochMicros = startedEpochMicros;
        this.pump = new Thread(() -> pump(logOut), name + "-output");
        pump.setDaemon(true);
        pump.start();
        this.sampler = new Thread(this::sample, name + "-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static ChildJvm start(String name, Path home, String module, String mainClass, String heap, List<String> args,
                          Map<String, String> env, Path logDir) throws IOException {
        Path moduleDir = home.resolve(module);
        Path cpFile = moduleDir.resolve("target/job-classpath.txt");
        if (!Files.exists(cpFile)) {
            throw new IllegalStateException(cpFile + " is missing: build first (mvn -DskipTests package)");
        }
        String cp = moduleDir.resolve("target/classes") + File.pathSeparator + Files.readString(cpFile).trim();
        Path provided = moduleDir.resolve("target/job-classpath-provided.txt");
        if (Files.exists(provided) && !Files.readString(provided).isBlank()) {
            cp += File.pathSeparator + Files.readString(provided).trim();
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Path gcLog = logDir.resolve(name + ".gc.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        cmd.add("-Xlog:gc:file=" + gcLog);
        cmd.addAll(JAVA17_OPENS);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        PrintStream logOut = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8);
        long nanos = System.nanoTime();
        long micros = Clock.nowMicros();
        return new ChildJvm(name, pb.start(), log, gcLog, logOut, nanos, micros);
    }

    long pid() { return process.pid(); }

    Path log() { return log; }

    private void pump(PrintStream logOut) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                logOut.println(line);
                if (line.startsWith("SUMMARY ") || line.startsWith("CAUGHT_UP ")) {
                    reports.add(line);
                }
            }
        } catch (IOException ignored) {
            // ended
        } finally {
            logOut.close();
            reports.add("EXIT");
        }
    }

    private void sample() {
        Path proc = Path.of("/proc", String.valueOf(process.pid()));
        while (process.isAlive()) {
            try {
                long hwm = Stats.procStatusBytes(Files.readString(proc.resolve("status")), "VmHWM");
                if (hwm > peakRss) {
                    peakRss = hwm;
                }
                sampleThreads(proc);
            } catch (Exception ignored) {
                // the process is ending
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sampleThreads(Path proc) throws IOException {
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    Map.Entry<String, Long> e = Stats.parseStat(Files.readString(task.resolve("stat")).trim());
                    synchronized (threadTicks) {
                        threadTicks.put(Long.parseLong(task.getFileName().toString()), e);
                    }
                } catch (Exception ignored) {
                    // the thread ended
                }
            }
        }
    }

    /** CPU seconds per thread group over the process's life (as last sampled, ≤ 0.5 s before it ended), largest first. */
    Map<String, Double> cpuByThreadGroup() {
        Map<String, Double> groups = new HashMap<>();
        synchronized (threadTicks) {
            threadTicks.values().forEach(e -> groups.merge(Stats.threadGroup(e.getKey()), e.getValue() / (double) TICKS_PER_SECOND, Double::sum));
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return sorted;
    }

    double cpuSeconds() {
        return cpuByThreadGroup().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Peak RSS in bytes as last sampled (VmHWM is a high-water mark, so the last sample is the best); -1 if never read. */
    long peakRss() { return peakRss; }

    /** Peak heap used in bytes (before a GC), -1 when no GC happened. */
    long peakHeap() {
        try {
            return Files.exists(gcLog) ? Stats.peakHeapBeforeGc(Files.readAllLines(gcLog)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    String awaitReport(long timeoutSeconds) throws Exception {
        String line = reports.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException(name + " reported nothing within " + timeoutSeconds + " s; see " + log);
        }
        if ("EXIT".equals(line)) {
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(name + " ended (exit " + (process.isAlive() ? "?" : process.exitValue())
                    + ") without a summary; see " + log + ":\n" + tail(15));
        }
        return line;
    }

    /** The next report line, or null if none came within {@code millis}; throws if the job ended without one. */
    String pollReport(long millis) throws Exception {
        String line = reports.poll(millis, TimeUnit.MILLISECONDS);
        if ("EXIT".equals(line)) {
            reports.add("EXIT");
            return awaitReport(1);
        }
        return line;
    }

    void proceed() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    int awaitExit(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not exit within " + timeoutSeconds + " s; see " + log);
        }
        pump.join(5000);
        sampler.join(2000);
        return process.exitValue();
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable)";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
