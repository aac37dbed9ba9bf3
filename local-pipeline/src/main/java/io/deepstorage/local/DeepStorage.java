package io.deepstorage.local;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import sun.misc.Signal;

/**
 * {@code ./deep-storage <command> [options]}: runs one job ({@link JobCommand}) in its own JVM, attached to this
 * terminal, and exits with its exit code. SIGTERM and Ctrl-C are passed on, so a streaming job stops with a
 * savepoint and prints its summary.
 */
public final class DeepStorage {
    private DeepStorage() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(JobCommand.usage());
            System.exit(0);
            return;
        }
        Optional<JobCommand> command = JobCommand.named(args[0]);
        if (command.isEmpty()) {
            System.err.println("deep-storage: unknown command '" + args[0] + "'");
            System.err.println(JobCommand.usage());
            System.exit(2);
            return;
        }
        Path home = Path.of(System.getProperty("deepstorage.home", ".")).toAbsolutePath().normalize();
        List<String> jobArgs = Arrays.asList(args).subList(1, args.length);
        Process job = JobProcess.processBuilder(home, command.get(), List.of(), jobArgs, Map.of()).inheritIO().start();
        // Ctrl-C reaches the job's JVM too (same process group); a SIGTERM sent to this launcher is passed on.
        Signal.handle(new Signal("TERM"), s -> job.destroy());
        Signal.handle(new Signal("INT"), s -> { });
        System.exit(job.waitFor());
    }
}
