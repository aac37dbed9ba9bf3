package io.deepstorage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.deepstorage.cli.JobReport;
import io.deepstorage.local.JobCommand;
import io.deepstorage.local.JobProcess;

/**
 * One job in its own JVM, started exactly as the local pipeline starts it ({@link JobProcess}), watched from
 * outside: peak RSS (VmHWM of /proc/&lt;pid&gt;/status, sampled while it runs), peak heap used (largest occupancy
 * before a GC in its -Xlog:gc file), and CPU time per thread group (utime+stime of /proc/&lt;pid&gt;/task/*&#47;stat,
 * sampled while it runs).
 */
final class ChildJvm implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    final String name;
    final long startedNanos;
    final long startedEpochMicros;
    private final JobProcess job;
    private final Path gcLog;
    private final Thread sampler;
    private volatile long peakRss = -1;
    private final Map<Long, Map.Entry<String, Long>> threadTicks = new HashMap<>();

    private ChildJvm(String name, JobProcess job, Path gcLog, long startedNanos, long startedEpochMicros) {
        this.name = name;
        this.job = job;
        this.gcLog = gcLog;
        this.startedNanos = startedNanos;
        this.startedEpochMicros = startedEpochMicros;
        this.sampler = new Thread(this::sample, name + "-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts {@code command} with its own default heap ({@link JobCommand#heap}) and a GC log next to its log. */
    static ChildJvm start(String name, Path home, JobCommand command, List<String> args, Map<String, String> env,
                          Path logDir) throws IOException {
        return start(name, home, command, List.of(), args, env, logDir);
    }

    /**
     * {@link #start(String, Path, JobCommand, List, Map, Path)} with more JVM options after the command's own heap
     * (a later -Xmx wins), e.g. another heap or a flight recording.
     */
    static ChildJvm start(String name, Path home, JobCommand command, List<String> jvmOptions, List<String> args,
                          Map<String, String> env, Path logDir) throws IOException {
        return start(name, home, List.of(), command, jvmOptions, args, env, logDir);
    }

    /** {@link #start(String, Path, JobCommand, List, List, Map, Path)} through a launcher such as {@code taskset -c 1}. */
    static ChildJvm start(String name, Path home, List<String> launcher, JobCommand command, List<String> jvmOptions,
                          List<String> args, Map<String, String> env, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path gcLog = logDir.resolve(name + ".gc.log");
        long nanos = System.nanoTime();
        long micros = Clock.nowMicros();
        List<String> options = new java.util.ArrayList<>(List.of("-Xlog:gc:file=" + gcLog));
        options.addAll(jvmOptions);
        JobProcess job = JobProcess.start(name, home, launcher, command, options, args, env, logDir);
        return new ChildJvm(name, job, gcLog, nanos, micros);
    }

    /**
     * The JVM options of a flight recording (stack samples every 10 ms) whose chunks go to {@code repository}, 2 MB each:
     * the bronze jobs end with Runtime.halt, which skips JFR's dump at exit, so {@link JfrProfile#read} reads the
     * finished chunks of the repository instead (all but the last couple of seconds); a JVM that exits (silver, gold)
     * clears its repository and dumps the whole recording into it as at-exit.jfr.
     */
    static List<String> flightRecording(Path repository) throws IOException {
        Files.createDirectories(repository);
        return List.of("-XX:FlightRecorderOptions=repository=" + repository + ",maxchunksize=2m",
                "-XX:StartFlightRecording=name=bench,settings=profile,dumponexit=true,filename=" + repository.resolve("at-exit.jfr"));
    }

    long pid() { return job.pid(); }

    Path log() { return job.log(); }

    private void sample() {
        Path proc = Path.of("/proc", String.valueOf(job.pid()));
        while (job.isAlive()) {
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

    /** Seconds the JVM was paused for collections (its -Xlog:gc file), NaN when there is no log. */
    double gcPauseSeconds() {
        try {
            return Files.exists(gcLog) ? Stats.gcPauseSeconds(Files.readAllLines(gcLog)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    JobReport awaitReport(long timeoutSeconds) throws Exception { return job.awaitReport(timeoutSeconds); }

    /** The next report, or null if none came within {@code millis}. */
    JobReport pollReport(long millis) throws Exception { return job.pollReport(millis); }

    void proceed() throws IOException { job.proceed(); }

    int awaitExit(long timeoutSeconds) throws Exception {
        int exit = job.awaitExit(timeoutSeconds);
        sampler.join(2000);
        return exit;
    }

    String tail(int lines) { return job.tail(lines); }

    @Override
    public void close() {
        job.close();
    }
}
