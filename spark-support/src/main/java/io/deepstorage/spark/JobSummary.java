package io.deepstorage.spark;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one line a job prints at the end: {@code SUMMARY {json}}. The local runner parses it, so the prefix and the
 * keys job, rows_in, rows_out, files_written and seconds are a contract.
 */
public final class JobSummary {
    public static final String PREFIX = "SUMMARY ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final long startNanos;

    private JobSummary(String job, long startNanos) {
        this.startNanos = startNanos;
        values.put("job", job);
        values.put("rows_in", 0L);
        values.put("rows_out", 0L);
        values.put("files_written", 0L);
    }

    public static JobSummary start(String job) {
        return new JobSummary(job, System.nanoTime());
    }

    public JobSummary put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    public Object get(String key) {
        return values.get(key);
    }

    /** The values with {@code seconds} measured now. */
    public Map<String, Object> finish() {
        Map<String, Object> result = new LinkedHashMap<>(values);
        result.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        return result;
    }

    public String line() {
        try {
            return PREFIX + JSON.writeValueAsString(finish());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("summary is not serialisable", e);
        }
    }

    /** Parses a {@code SUMMARY } line back, for tests and runners. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a summary line: " + line);
        }
        try {
            return JSON.readValue(line.substring(PREFIX.length()), Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad summary json: " + line, e);
        }
    }
}
