package io.deepstorage.bronze;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

/**
 * {@code ./deep-storage compact --date <YYYY-MM-DD | yesterday>}: rewrites a closed bronze date's small parts into
 * parts of about {@code --target-size} without changing a row ({@link BronzeCompaction}), while the streaming job
 * writes today. Prints {@code SUMMARY {json}}; exit 0 done, 1 refused or failed, 2 bad setting.
 */
public final class CompactCommand {
    public static final List<OptionSpec> OPTIONS = Stream.concat(LakeEndpoint.OPTIONS.stream(), Stream.of(
            OptionSpec.value("date", "COMPACT_DATE", null, "the closed UTC date to compact: YYYY-MM-DD or yesterday (required)"),
            OptionSpec.value("target-size", "COMPACT_TARGET_SIZE", "128MB", "size of the parts written, e.g. 128MB, 1GB"))).toList();
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    /** The command's settings. */
    public record Settings(String lakeUri, LocalDate date, long targetBytes) {}

    private CompactCommand() {}

    public static void main(String[] args) {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("./deep-storage compact",
                    "Rewrites a closed bronze date's small parts into few large ones without changing a row.", OPTIONS));
            return;
        }
        Settings settings;
        try {
            CommandLine cli = CommandLine.parse(args, System.getenv(), OPTIONS);
            LakeEndpoint lake = LakeEndpoint.from(cli);
            InProcessFlink.requireEndpoint(cli, lake);
            settings = settings(cli, LocalDate.now(ZoneOffset.UTC));
            InProcessFlink.configuration(lake); // sets up Flink's S3 filesystem, through which bronze is read and written
        } catch (SettingException e) {
            System.err.println("compact: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.out.println(run(settings, LocalDate.now(ZoneOffset.UTC)).line());
            System.exit(0);
        } catch (Exception e) {
            System.err.println("compact: " + e.getMessage());
            System.exit(1);
        }
    }

    static Settings settings(CommandLine cli, LocalDate today) {
        String text = cli.required("date");
        LocalDate date;
        if ("yesterday".equals(text)) {
            date = today.minusDays(1);
        } else {
            try {
                date = LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw cli.bad("date", "must be YYYY-MM-DD or yesterday, got '" + text + "'");
            }
        }
        return new Settings("s3://" + LakeEndpoint.from(cli).bucket(cli), date, cli.parsed("target-size", CompactCommand::bytes));
    }

    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size like 128MB, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long bytes = switch (unit) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            default -> n;
        };
        if (bytes < 1) {
            throw new IllegalArgumentException("must be positive, got '" + text + "'");
        }
        return bytes;
    }

    /** Refuses a date the streaming job may still be writing (today or later), then compacts it. */
    public static JobReport run(Settings s, LocalDate today) throws Exception {
        if (!s.date().isBefore(today)) {
            throw new IllegalStateException("date " + s.date() + " is not closed (today is " + today
                    + " UTC): bronze may still be writing it; compact dates before today");
        }
        JobReport.Builder report = JobReport.start("compact").put("date", s.date().toString());
        BronzeCompaction.Result r = BronzeCompaction.compact(s.lakeUri(), s.date(), s.targetBytes());
        return report.put("files_before", (long) r.filesBefore()).put("files_after", (long) r.filesAfter())
                .put(JobReport.ROWS_IN, r.rows()).put(JobReport.ROWS_OUT, r.rows())
                .put("bytes_before", r.bytesBefore()).put("bytes_after", r.bytesAfter())
                .put(JobReport.FILES_WRITTEN, (long) r.bins())
                .summary();
    }
}
