package io.deepstorage.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one-line {@code SUMMARY {json}} each job prints: a flat JSON object of numbers and strings. */
public record JobSummary(Map<String, String> values) {
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[-0-9.eE+]+|true|false|null)");

    public static JobSummary parse(String json) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            String v = m.group(2);
            values.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return new JobSummary(values);
    }

    public long count(String key) {
        String v = values.get(key);
        if (v == null || "null".equals(v)) {
            return 0;
        }
        return (long) Double.parseDouble(v);
    }

    public double seconds() {
        String v = values.get("seconds");
        return v == null ? 0 : Double.parseDouble(v);
    }

    public String get(String key) {
        return values.get(key);
    }
}
