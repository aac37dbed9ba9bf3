package io.deepstorage.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a job did, as the one line it prints: {@code SUMMARY {json}} at the end, or {@code CAUGHT_UP {json}} when a
 * streaming job has caught up with its source. Every job writes it, and the local runner, the bench and the tests
 * read it back with {@link #parse}, so the prefixes and the common keys are defined here only.
 *
 * <p>Counts in a report are final or counted from committed output, never a running job's lagging accumulators.
 */
public final class JobReport {
    public enum Kind {
        SUMMARY("SUMMARY "), CAUGHT_UP("CAUGHT_UP ");

        private final String prefix;

        Kind(String prefix) { this.prefix = prefix; }

        public String prefix() { return prefix; }
    }

    public static final String JOB = "job";
    public static final String ROWS_IN = "rows_in";
    public static final String ROWS_OUT = "rows_out";
    public static final String FILES_WRITTEN = "files_written";
    public static final String SECONDS = "seconds";
    /** Rows a job refused with a reason (bronze's dead letters), none lost. */
    public static final String DEAD_LETTERS = "dead_letters";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Kind kind;
    private final Map<String, Object> values;

    private JobReport(Kind kind, Map<String, Object> values) {
        this.kind = kind;
        this.values = values;
    }

    /** Starts the report of a job that begins now; {@link Builder#seconds()} counts from here. */
    public static Builder start(String job) {
        return new Builder(job, System.nanoTime());
    }

    /** A report line back ({@code SUMMARY ...} or {@code CAUGHT_UP ...}); empty for any other line. */
    @SuppressWarnings("unchecked")
    public static Optional<JobReport> parse(String line) {
        for (Kind kind : Kind.values()) {
            if (line.startsWith(kind.prefix())) {
                try {
                    Map<String, Object> values = JSON.readValue(line.substring(kind.prefix().length()), LinkedHashMap.class);
                    return Optional.of(new JobReport(kind, values));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("bad report json: " + line, e);
                }
            }
        }
        return Optional.empty();
    }

    /** True for a line that {@link #parse} reads. */
    public static boolean isReport(String line) {
        for (Kind kind : Kind.values()) {
            if (line.startsWith(kind.prefix())) {
                return true;
            }
        }
        return false;
    }

    public Kind kind() { return kind; }

    public String job() { return text(JOB); }

    public long rowsIn() { return count(ROWS_IN); }

    public long rowsOut() { return count(ROWS_OUT); }

    public long filesWritten() { return count(FILES_WRITTEN); }

    public double seconds() {
        Object v = values.get(SECONDS);
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    public boolean has(String key) { return values.get(key) != null; }

    /** A whole-number value; 0 when absent. */
    public long count(String key) {
        Object v = values.get(key);
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("report key " + key + " is not a number: " + v);
    }

    /** A value as text; null when absent. */
    public String text(String key) {
        Object v = values.get(key);
        return v == null ? null : v.toString();
    }

    public Map<String, Object> values() { return Collections.unmodifiableMap(values); }

    /** The line to print: prefix and one-line JSON. */
    public String line() {
        try {
            return kind.prefix() + JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report is not serialisable", e);
        }
    }

    @Override
    public String toString() { return line(); }

    /** Collects a report's values while the job runs. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final long startNanos;

        private Builder(String job, long startNanos) {
            this.startNanos = startNanos;
            values.put(JOB, job);
            values.put(ROWS_IN, 0L);
            values.put(ROWS_OUT, 0L);
            values.put(FILES_WRITTEN, 0L);
        }

        public Builder put(String key, Object value) {
            values.put(key, value);
            return this;
        }

        public Object get(String key) { return values.get(key); }

        public double seconds() {
            return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
        }

        /** The report as of now, {@code seconds} measured now. */
        public JobReport report(Kind kind) {
            Map<String, Object> v = new LinkedHashMap<>(values);
            v.put(SECONDS, seconds());
            return new JobReport(kind, v);
        }

        public JobReport summary() { return report(Kind.SUMMARY); }
    }
}
