package io.deepstorage.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.deepstorage.cli.JobReport;

/**
 * One job ({@link JobCommand}) in its own JVM, on the classpath its module's build wrote (target/job-classpath.txt
 * plus its classes), so Flink's and Spark's libraries never meet. Its output goes to a log file; the lines it reports on
 * ({@code CAUGHT_UP ...}, {@code SUMMARY ...}) are handed to the caller.
 */
public final class JobProcess implements AutoCloseable {
    /** The JVM flags Spark ships for Java 17 (JavaModuleOptions); Flink and Avro need a subset of them. */
    public static final List<String> JAVA17_OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");

    private final String name;
    private final Process process;
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
    private final Path log;
    private final Thread pump;

    private JobProcess(String name, Process process, Path log, PrintStream logOut) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pump = new Thread(() -> pump(process, logOut), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code command} in its own JVM with the caller's environment plus {@code env}; its output goes to
     * {@code <logDir>/<name>.log} and its report lines to {@link #awaitReport}. {@code jvmOptions}: e.g. a GC log.
     */
    public static JobProcess start(String name, Path home, JobCommand command, List<String> jvmOptions,
                                   List<String> args, Map<String, String> env, Path logDir) throws IOException {
        return start(name, home, List.of(), command, jvmOptions, args, env, logDir);
    }

    /**
     * {@link #start(String, Path, JobCommand, List, List, Map, Path)} through a launcher that execs the JVM in its own
     * place (same process), e.g. {@code taskset -c 1}: what the launcher sets holds from the JVM's first instruction.
     */
    public static JobProcess start(String name, Path home, List<String> launcher, JobCommand command, List<String> jvmOptions,
                                   List<String> args, Map<String, String> env, Path logDir) throws IOException {
        ProcessBuilder pb = processBuilder(home, command, jvmOptions, args, env).redirectErrorStream(true);
        pb.command().addAll(0, launcher);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        PrintStream logOut = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8);
        return new JobProcess(name, pb.start(), log, logOut);
    }

    /** The job's JVM: its module's classpath (target/job-classpath.txt, plus what the image provides), heap, flags. */
    static ProcessBuilder processBuilder(Path home, JobCommand command, List<String> jvmOptions, List<String> args,
                                         Map<String, String> env) throws IOException {
        Path moduleDir = home.resolve(command.module);
        Path classpathFile = moduleDir.resolve("target/job-classpath.txt");
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException(classpathFile + " is missing: build first (mvn -DskipTests package)");
        }
        String classpath = moduleDir.resolve("target/classes") + java.io.File.pathSeparator
                + Files.readString(classpathFile).trim();
        Path provided = moduleDir.resolve("target/job-classpath-provided.txt");
        if (Files.exists(provided) && !Files.readString(provided).isBlank()) {
            classpath += java.io.File.pathSeparator + Files.readString(provided).trim();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + command.heap);
        cmd.addAll(command.jvmOptions);
        cmd.addAll(jvmOptions);
        cmd.addAll(JAVA17_OPENS);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(command.mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(command.environment(home));
        pb.environment().putAll(env);
        return pb;
    }

    private void pump(Process p, PrintStream logOut) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                logOut.println(line);
                if (JobReport.isReport(line)) {
                    reports.add(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            logOut.close();
            reports.add("EXIT");
        }
    }

    /** The next {@code CAUGHT_UP} or {@code SUMMARY} report; fails with the log's causes if the job ends without one. */
    public JobReport awaitReport(long timeoutSeconds) throws Exception {
        String line = reports.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException(name + " reported nothing within " + timeoutSeconds + " s; see " + log);
        }
        if ("EXIT".equals(line)) {
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(name + " ended (exit " + (process.isAlive() ? "?" : process.exitValue())
                    + ") without a summary; causes in " + log + ":\n" + causes());
        }
        return JobReport.parse(line).orElseThrow();
    }

    /** The next report, or null if none came within {@code millis}; fails if the job ended without one. */
    public JobReport pollReport(long millis) throws Exception {
        String line = reports.poll(millis, TimeUnit.MILLISECONDS);
        if ("EXIT".equals(line)) {
            reports.add("EXIT");
            return awaitReport(1);
        }
        return line == null ? null : JobReport.parse(line).orElseThrow();
    }

    /** Asks the job to stop (SIGTERM): a streaming job stops with a savepoint and prints its summary. */
    public void stop() {
        // Through the handle: Process.destroy() would also close our end of its output, losing the summary.
        process.toHandle().destroy();
    }

    /** Tells a job that waits between rounds to go on. */
    public void proceed() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    public int awaitExit(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not exit within " + timeoutSeconds + " s; see " + log);
        }
        pump.join(5000);
        return process.exitValue();
    }

    public Path log() { return log; }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    /** The distinct "Caused by" lines of the log (the root causes), or its tail when there are none. */
    String causes() {
        try {
            List<String> causes = Files.readAllLines(log).stream()
                    .filter(l -> l.startsWith("Caused by") || l.contains("Exception in thread") || l.startsWith("bronze:") || l.contains(" ERROR "))
                    .distinct().limit(12).toList();
            return causes.isEmpty() ? tail(20) : String.join("\n", causes);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
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
