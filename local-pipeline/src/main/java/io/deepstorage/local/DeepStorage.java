package io.deepstorage.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Behind {@code ./deep-storage <command> [options]}: resolves the command ({@link JobCommand}) to the job's own JVM
 * command line (the one the local pipeline and the bench start too) and writes it, NUL-separated, to the file the
 * script names; the script then {@code exec}s it, so the job runs in the foreground with its own exit code and gets
 * SIGTERM and Ctrl-C directly (a streaming job stops with a savepoint and prints its summary). Without a command, or
 * with an unknown one, it prints the list of commands and writes nothing.
 */
public final class DeepStorage {
    private DeepStorage() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: DeepStorage <command file> [<command> [options]]");
        }
        Path commandFile = Path.of(args[0]);
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.isEmpty() || List.of("--help", "-h", "help").contains(rest.get(0))) {
            System.out.println(JobCommand.usage());
            System.exit(0);
            return;
        }
        Optional<JobCommand> command = JobCommand.named(rest.get(0));
        if (command.isEmpty()) {
            System.err.println("deep-storage: unknown command '" + rest.get(0) + "'");
            System.err.println(JobCommand.usage());
            System.exit(2);
            return;
        }
        Path home = Path.of(System.getProperty("deepstorage.home", ".")).toAbsolutePath().normalize();
        ProcessBuilder job = JobProcess.processBuilder(home, command.get(), List.of(), rest.subList(1, rest.size()), Map.of());
        List<String> line = new ArrayList<>(List.of("env"));
        command.get().environment(home).forEach((k, v) -> line.add(k + "=" + v));
        line.addAll(job.command());
        Files.writeString(commandFile, String.join("\0", line) + "\0", StandardCharsets.UTF_8);
    }
}
