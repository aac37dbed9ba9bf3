package io.deepstorage.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the processes of a bronze run may run. {@link #SHARED}: anywhere, as every other case. {@link #SPLIT}: the bronze
 * job on the upper half of the cores, everything else (PostgreSQL with the producers' backends and the walsender, and
 * the bench JVM with the S3 server and its poller) on the lower half, as in production, where the database and the
 * object store have machines of their own. Pinned with util-linux's {@code taskset} (every thread of a process; threads
 * and processes started later inherit it from their parent).
 */
enum CpuPlacement {
    SHARED("shared cores"),
    SPLIT("split cores");

    final String label;

    CpuPlacement(String label) {
        this.label = label;
    }

    /** The CPUs the bronze job gets under {@link #SPLIT} of {@code cores}: the upper half, e.g. "1" of 2, "2-3" of 4. */
    static String jobCpus(int cores) {
        requireTwo(cores);
        return range(cores / 2, cores - 1);
    }

    /** The CPUs everything else gets under {@link #SPLIT}: the lower half, e.g. "0" of 2, "0-1" of 4. */
    static String otherCpus(int cores) {
        requireTwo(cores);
        return range(0, cores / 2 - 1);
    }

    /** Every CPU, as after {@link #release}. */
    static String allCpus(int cores) {
        return range(0, cores - 1);
    }

    private static String range(int from, int to) {
        return from == to ? String.valueOf(from) : from + "-" + to;
    }

    private static void requireTwo(int cores) {
        if (cores < 2) {
            throw new IllegalArgumentException("splitting cores needs at least 2, this machine has " + cores);
        }
    }

    /** Why {@link #SPLIT} cannot be used here, or null when it can. */
    static String unavailableBecause(int cores) {
        if (cores < 2) {
            return "this machine has " + cores + " core";
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

    /** What {@link #apply} pinned, undone on close. */
    interface Pinned extends AutoCloseable {
        @Override
        void close() throws IOException, InterruptedException;
    }

    /**
     * Places the job {@code jobPid} and everything else as this placement says, until the returned handle is closed
     * (then the bench JVM and PostgreSQL may run anywhere again; the job has ended by then).
     */
    Pinned apply(long jobPid, int cores) throws IOException, InterruptedException {
        if (this == SHARED) {
            return () -> { };
        }
        pin(jobPid, jobCpus(cores));
        pinOthers(otherCpus(cores));
        return () -> pinOthers(allCpus(cores));
    }

    private static void pinOthers(String cpus) throws IOException, InterruptedException {
        List<Long> pids = new ArrayList<>(ProcCpu.postgresTicks().keySet());
        pids.add(ProcessHandle.current().pid());
        for (long pid : pids) {
            pin(pid, cpus);
        }
    }

    private static void pin(long pid, String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-c", "-p", cpus, String.valueOf(pid)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            // A PostgreSQL backend may end between the listing and here; the job and the bench JVM may not.
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IOException("taskset -a -c -p " + cpus + " " + pid + " failed: " + out.strip());
            }
        }
    }
}
