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

    /**
     * What a run's rows depend on besides bronze: the silver schema, the code's version and the rules' settings.
     * An incremental run on a record with another fingerprint would mix rows of old and new logic.
     */
    static String fingerprint(SilverConfig config) {
        String code = SilverRuns.class.getPackage().getImplementationVersion();
        String basis = io.deepstorage.schemas.Schemas.stopExecution().toString() + "|" + (code == null ? "dev" : code)
                + "|" + config.tolerances();
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(basis.getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bronze parts the latest successful run had folded; empty when silver was never built here, or the latest
     * record has another fingerprint (then a full rebuild is due).
     */
    static Optional<Set<String>> latest(LakeFiles files, String runsUri, String fingerprint) {
        List<String> records = records(files, runsUri);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        String text = files.readText(runsUri + "/" + records.get(records.size() - 1)).orElseThrow();
        if (!text.lines().findFirst().orElse("").contains(" fingerprint=" + fingerprint + " ")) {
            return Optional.empty();
        }
        Set<String> parts = new LinkedHashSet<>();
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(parts::add);
        return Optional.of(parts);
    }

    /** Records this run (the parts it folded), then drops all but the last few records. */
    static void write(LakeFiles files, String runsUri, String mode, String fingerprint, Collection<LakeLayout.Entry> bronzeParts,
                      Instant finished) {
        StringBuilder b = new StringBuilder("# silver run: mode=").append(mode).append(" fingerprint=").append(fingerprint)
                .append(" finished=").append(finished)
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
