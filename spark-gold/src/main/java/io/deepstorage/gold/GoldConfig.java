package io.deepstorage.gold;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;


/** The gold job's own settings, validated before Spark starts. */
public record GoldConfig(String version, Instant asOf, double testFraction, boolean overwrite, int minTrainRows,
                         int minTestRows) {
    // Semantic Versioning 2.0.0, without a leading "v" (the directory adds it).
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("version", "GOLD_VERSION", "1.0.0", "training-set version (semver), written to stop_outcome/v<version>"),
            OptionSpec.value("as-of", "GOLD_AS_OF", null,
                    "ISO-8601 instant; only outcomes final before it are used; also generated_at (default: now)"),
            OptionSpec.value("test-fraction", "GOLD_TEST_FRACTION", "0.2", "share of the latest triggers that form the test split"),
            OptionSpec.flag("overwrite", "GOLD_OVERWRITE", "replace an existing version whose content differs"),
            OptionSpec.value("min-train-rows", "GOLD_MIN_TRAIN_ROWS", "10", "a set whose train split has fewer rows is refused"),
            OptionSpec.value("min-test-rows", "GOLD_MIN_TEST_ROWS", "3", "a set whose test split has fewer rows is refused"));

    public static GoldConfig from(CommandLine cli, Instant now) {
        return new GoldConfig(cli.parsed("version", GoldConfig::semver), cli.instant("as-of").orElse(now),
                cli.parsed("test-fraction", GoldConfig::fraction), cli.bool("overwrite"),
                cli.integer("min-train-rows", 1, Integer.MAX_VALUE), cli.integer("min-test-rows", 1, Integer.MAX_VALUE));
    }

    private static String semver(String text) {
        if (!SEMVER.matcher(text).matches()) {
            throw new IllegalArgumentException("must be a semantic version like 1.0.0, got '" + text + "'");
        }
        return text;
    }

    private static double fraction(String text) {
        double fraction = DECIMAL.matcher(text).matches() ? Double.parseDouble(text) : Double.NaN;
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("must be a number between 0 and 1 (exclusive), got '" + text + "'");
        }
        return fraction;
    }
}
