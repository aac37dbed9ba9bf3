package io.deepstorage.silver;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.spark.LakeFiles;

/**
 * The record of a successful silver run under silver/_runs/: which committed bronze parts it had folded. Written
 * last, so a run that failed leaves the previous record, and the next run redoes its work. The next incremental
 * run folds only the parts not in the latest record.
 */
final class SilverRuns {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final int KEPT = 5;

    private SilverRuns() {}

    /** The bronze parts the latest successful run had folded; empty when silver was never built here. */
    static Optional<Set<String>> latest(LakeFiles files, String runsUri) {
        List<String> records = records(files, runsUri);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        String text = files.readText(runsUri + "/" + records.get(records.size() - 1)).orElseThrow();
        Set<String> parts = new LinkedHashSet<>();
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(parts::add);
        return Optional.of(parts);
    }

    /** Records this run (the parts it folded), then drops all but the last few records. */
    static void write(LakeFiles files, String runsUri, String mode, Collection<LakeLayout.Entry> bronzeParts, Instant finished) {
        StringBuilder b = new StringBuilder("# silver run: mode=").append(mode).append(" finished=").append(finished)
                .append(" parts=").append(bronzeParts.size()).append('\n');
        bronzeParts.forEach(p -> b.append(p.path()).append('\n'));
        files.writeText(runsUri + "/run-" + NAME.format(finished) + ".txt", b.toString());
        List<String> records = records(files, runsUri);
        for (int i = 0; i < records.size() - KEPT; i++) {
            files.delete(runsUri + "/" + records.get(i));
        }
    }

    private static List<String> records(LakeFiles files, String runsUri) {
        return files.list(runsUri).stream().filter(n -> n.startsWith("run-") && n.endsWith(".txt")).sorted().toList();
    }
}
