package io.deepstorage.gold;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;


/** The gold job's own settings, validated before Spark starts. */
public record GoldConfig(String version, Instant asOf, double testFraction, boolean overwrite) {
    // Semantic Versioning 2.0.0, without a leading "v" (the directory adds it).
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("version", "GOLD_VERSION", "1.0.0", "training-set version (semver), written to stop_outcome/v<version>"),
            OptionSpec.value("as-of", "GOLD_AS_OF", null,
                    "ISO-8601 instant; only outcomes final before it are used; also generated_at (default: now)"),
            OptionSpec.value("test-fraction", "GOLD_TEST_FRACTION", "0.2", "share of the latest triggers that form the test split"),
            OptionSpec.flag("overwrite", "GOLD_OVERWRITE", "replace an existing version whose content differs"));

    public static GoldConfig from(CommandLine cli, Instant now) {
        String version = cli.required("version");
        if (!SEMVER.matcher(version).matches()) {
            throw new SettingException(cli.spec("version").label() + " must be a semantic version like 1.0.0, got '" + version + "'");
        }
        Instant asOf = cli.get("as-of").map(text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new SettingException(cli.spec("as-of").label() + " must be an ISO-8601 instant like 2024-03-01T00:00:00Z, got '" + text + "'");
            }
        }).orElse(now);
        String fractionText = cli.required("test-fraction");
        double fraction;
        try {
            fraction = Double.parseDouble(fractionText);
        } catch (NumberFormatException e) {
            fraction = Double.NaN;
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new SettingException(cli.spec("test-fraction").label() + " must be a number between 0 and 1 (exclusive), got '" + fractionText + "'");
        }
        return new GoldConfig(version, asOf, fraction, cli.bool("overwrite"));
    }
}
