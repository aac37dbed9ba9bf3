package io.deepstorage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the processes of a bronze run may run. {@link #SHARED}: anywhere, as every other case. {@link #SPLIT}: the bronze
 * job on the upper half of the CPUs this bench may use, everything else (the embedded PostgreSQL with the producers'
 * backends and the walsender, and the bench JVM with the S3 server and its poller) on the lower half, as in
 * production, where the database and the object store have machines of their own. Pinned with util-linux's
 * {@code taskset}: the job from its first instruction (it is started through it), the others while the case runs.
 */
enum CpuPlacement {
    SHARED("shared cores"),
    SPLIT("split cores");

    final String label;

    CpuPlacement(String label) {
        this.label = label;
    }

    /** "0-1,4,6-7" (a Cpus_allowed_list, as taskset prints and takes it) → [0, 1, 4, 6, 7]. */
    static List<Integer> parseList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.strip().split(",")) {
            String[] range = part.strip().split("-");
            int from = Integer.parseInt(range[0].strip());
            int to = range.length > 1 ? Integer.parseInt(range[1].strip()) : from;
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return List.copyOf(cpus);
    }

    /** The CPUs this process may run on now (Cpus_allowed_list of /proc/self/status). */
    static List<Integer> allowedNow() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return parseList(lines.filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst()
                    .orElseThrow(() -> new IOException("no Cpus_allowed_list in /proc/self/status"))
                    .substring("Cpus_allowed_list:".length()));
        }
    }

    /** The upper half of {@code allowed} (the bronze job's under {@link #SPLIT}), e.g. "1" of [0, 1], "6,7" of [4..7]. */
    static String jobCpus(List<Integer> allowed) {
        requireTwo(allowed);
        return format(allowed.subList(allowed.size() / 2, allowed.size()));
    }

    /** The lower half of {@code allowed} (everything else under {@link #SPLIT}), e.g. "0" of [0, 1], "4,5" of [4..7]. */
    static String otherCpus(List<Integer> allowed) {
        requireTwo(allowed);
        return format(allowed.subList(0, allowed.size() / 2));
    }

    static String format(List<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static void requireTwo(List<Integer> allowed) {
        if (allowed.size() < 2) {
            throw new IllegalArgumentException("splitting CPUs needs at least 2, this bench may use " + allowed);
        }
    }

    /** Why {@link #SPLIT} cannot be used with {@code allowed}, or null when it can. */
    static String unavailableBecause(List<Integer> allowed) {
        if (allowed.size() < 2) {
            return "this bench may use only CPU " + format(allowed);
        }
        try {
            Process p = new ProcessBuilder("taskset", "-p", String.valueOf(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "taskset failed";
        } catch (IOException | InterruptedException e) {
            return "no taskset (util-linux): " + e.getMessage();
        }
    }

    /** What the job is started through: {@code taskset -c <upper half>} under {@link #SPLIT}, nothing otherwise. */
    List<String> launcher(List<Integer> allowed) {
        return this == SPLIT ? List.of("taskset", "-c", jobCpus(allowed)) : List.of();
    }

    /** What {@link #pinOthers} pinned, set back to {@code allowed} on close. */
    interface Pinned extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Under {@link #SPLIT}, this JVM and the PostgreSQL server {@code postmaster} with every process it has forked on
     * the lower half of {@code allowed} (backends forked later inherit it) until the returned handle is closed; then
     * this JVM first, and every one of those still running, may use all of {@code allowed} again. Under
     * {@link #SHARED} nothing.
     */
    Pinned pinOthers(ProcessHandle postmaster, List<Integer> allowed) throws IOException {
        if (this == SHARED) {
            return () -> { };
        }
        List<ProcessHandle> others = new ArrayList<>();
        others.add(ProcessHandle.current());
        others.add(postmaster);
        postmaster.descendants().forEach(others::add);
        List<ProcessHandle> pinned = new ArrayList<>();
        Pinned undo = () -> {
            IOException failed = null;
            for (ProcessHandle p : pinned) {
                try {
                    pin(p, format(allowed));
                } catch (IOException e) {
                    failed = failed == null ? e : failed;
                }
            }
            if (failed != null) {
                throw failed;
            }
        };
        try {
            for (ProcessHandle p : others) {
                pin(p, otherCpus(allowed));
                pinned.add(p);
            }
        } catch (IOException e) {
            try {
                undo.close();
            } catch (IOException undoFailed) {
                e.addSuppressed(undoFailed);
            }
            throw e;
        }
        return undo;
    }

    /** Every thread of {@code p} on {@code cpus}; a process that has ended meanwhile (a backend) is no failure. */
    private static void pin(ProcessHandle p, String cpus) throws IOException {
        try {
            Process taskset = new ProcessBuilder("taskset", "-a", "-c", "-p", cpus, String.valueOf(p.pid()))
                    .redirectErrorStream(true).start();
            String out = new String(taskset.getInputStream().readAllBytes());
            if ((!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0) && p.isAlive()) {
                throw new IOException("taskset -a -c -p " + cpus + " " + p.pid() + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pinning " + p.pid(), e);
        }
    }
}
