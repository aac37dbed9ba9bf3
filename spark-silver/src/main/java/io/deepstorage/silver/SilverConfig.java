package io.deepstorage.silver;

import java.math.BigDecimal;
import java.util.List;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;

/** Silver's own settings: how much breakage of a rule is tolerated, the rules' tolerances, how files are kept. */
public record SilverConfig(double maxRuleShare, SilverRules.Tolerances tolerances, boolean full, int partitionMaxFiles)
        implements java.io.Serializable {
    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("quality-max-share", "SILVER_QUALITY_MAX_SHARE", "0.01",
                    "the run fails (writing nothing) when one rule is broken by more than this share of operations"),
            OptionSpec.value("slippage-tolerance", "SILVER_SLIPPAGE_TOLERANCE", "0.01",
                    "percentage points slippage_pct may differ from |fill - stop| / stop × 100"),
            OptionSpec.value("clock-skew", "SILVER_CLOCK_SKEW", "5s",
                    "how far the app's clocks may disagree before triggered ≤ submitted ≤ executed counts as broken"),
            OptionSpec.flag("full", "SILVER_FULL",
                    "fold every operation from all of bronze (default: only those touched by bronze parts new since the last run)"),
            OptionSpec.value("partition-max-files", "SILVER_PARTITION_MAX_FILES", "8",
                    "an incremental run adds files to the partitions it writes; one holding more is written whole again as one file"));

    public static SilverConfig from(CommandLine cli) {
        double share = cli.parsed("quality-max-share", SilverConfig::share);
        BigDecimal slippage = cli.parsed("slippage-tolerance", text -> {
            BigDecimal v;
            try {
                v = new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a number of percentage points, got '" + text + "'");
            }
            if (v.signum() < 0) {
                throw new IllegalArgumentException("must not be negative, got '" + text + "'");
            }
            return v;
        });
        return new SilverConfig(share, new SilverRules.Tolerances(slippage, cli.duration("clock-skew")), cli.bool("full"),
                cli.integer("partition-max-files", 1, 10_000));
    }

    private static double share(String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("must be a share between 0 and 1, got '" + text + "'");
        }
        return v;
    }
}
