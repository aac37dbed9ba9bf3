package io.deepstorage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Resolved options: an argument wins over its environment variable, which wins over the default. */
public final class CommandLine {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private final Map<String, OptionSpec> specs;
    private final Map<String, String> values;
    private final Map<String, String> env;

    private CommandLine(Map<String, OptionSpec> specs, Map<String, String> values, Map<String, String> env) {
        this.specs = specs;
        this.values = values;
        this.env = env;
    }

    public static boolean wantsHelp(String[] args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    /** Parses the arguments of a job over its environment; two lists of options may be given as one. */
    @SafeVarargs
    public static CommandLine parse(String[] args, Map<String, String> env, List<OptionSpec>... optionLists) {
        List<OptionSpec> options = new ArrayList<>();
        for (List<OptionSpec> list : optionLists) {
            options.addAll(list);
        }
        return parse(args, env, options);
    }

    public static CommandLine parse(String[] args, Map<String, String> env, List<OptionSpec> options) {
        Map<String, OptionSpec> specs = new LinkedHashMap<>();
        for (OptionSpec o : options) {
            if (specs.put(o.name(), o) != null) {
                throw new IllegalArgumentException("option --" + o.name() + " is declared twice");
            }
        }
        Map<String, String> fromArgs = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new SettingException("unexpected argument '" + arg + "' (options start with --; see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            OptionSpec spec = specs.get(name);
            if (spec == null) {
                throw new SettingException("unknown option --" + name + " (see --help)");
            }
            if (value == null) {
                if (spec.flag()) {
                    value = "true";
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    throw new SettingException("--" + name + " needs a value");
                }
            }
            fromArgs.put(name, value);
        }
        Map<String, String> values = new HashMap<>();
        for (OptionSpec spec : specs.values()) {
            String value = fromArgs.get(spec.name());
            if (value == null && spec.envVar() != null) {
                String fromEnv = env.get(spec.envVar());
                value = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
            }
            if (value == null) {
                value = spec.defaultValue();
            }
            if (value != null) {
                values.put(spec.name(), value);
            }
        }
        return new CommandLine(specs, values, Map.copyOf(env));
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(spec(name).name()));
    }

    public String required(String name) {
        return get(name).orElseThrow(() -> new SettingException(spec(name).label() + " is required"));
    }

    public boolean bool(String name) {
        String value = get(name).orElse("false").toLowerCase();
        return switch (value) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new SettingException(spec(name).label() + " must be true or false, got '" + value + "'");
        };
    }

    /** A whole number within [min, max]. */
    public int integer(String name, int min, int max) {
        return (int) longInteger(name, min, max);
    }

    /** A whole number within [min, max]; underscores may group digits (1_000_000). */
    public long longInteger(String name, long min, long max) {
        String value = required(name);
        long n;
        try {
            n = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw bad(name, "must be a whole number, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw bad(name, "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** An optional whole number within [min, max]. */
    public Optional<Integer> optionalInteger(String name, int min, int max) {
        return get(name).isEmpty() ? Optional.empty() : Optional.of(integer(name, min, max));
    }

    /** A duration longer than zero, written like 500ms, 30s, 5m, 2h or 7d. */
    public Duration duration(String name) {
        Duration d = parsed(name, Durations::parse);
        if (d.isZero()) {
            throw bad(name, "must be longer than zero");
        }
        return d;
    }

    /** One of the allowed words. */
    public String oneOf(String name, List<String> allowed) {
        String value = required(name);
        if (!allowed.contains(value)) {
            throw bad(name, "must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    /** A lower-case PostgreSQL identifier (slot, publication, table names). */
    public String identifier(String name) {
        String value = required(name);
        if (!IDENTIFIER.matcher(value).matches()) {
            throw bad(name, "must be a lower-case PostgreSQL identifier, got '" + value + "'");
        }
        return value;
    }

    /** An optional ISO-8601 instant (2024-03-01T00:00:00Z). */
    public Optional<Instant> instant(String name) {
        return get(name).isEmpty() ? Optional.empty() : Optional.of(parsed(name, text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("must be an ISO-8601 instant like 2024-03-01T00:00:00Z, got '" + text + "'");
            }
        }));
    }

    /** A value read by {@code parser}; its IllegalArgumentException becomes a one-line error naming the setting. */
    public <T> T parsed(String name, Function<String, T> parser) {
        String value = required(name);
        try {
            return parser.apply(value);
        } catch (SettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw bad(name, e.getMessage());
        }
    }

    /**
     * The one rule for secrets: the file option, when given, names a mounted file whose trimmed content is the
     * secret (an empty or unreadable file is an error naming the option); else the environment variable; else absent.
     * Secrets are never taken from arguments, so they never show in a process list.
     */
    public Optional<String> secret(String fileOption, String envVar) {
        Optional<String> file = get(fileOption);
        if (file.isPresent()) {
            String value;
            try {
                value = Files.readString(Path.of(file.get())).trim();
            } catch (IOException | RuntimeException e) {
                throw bad(fileOption, "cannot be read: " + file.get());
            }
            if (value.isEmpty()) {
                throw bad(fileOption, "points to an empty file: " + file.get());
            }
            return Optional.of(value);
        }
        String value = env.get(envVar);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** "--name (ENV) why": the one-line error for a bad value. */
    public SettingException bad(String name, String why) {
        return new SettingException(spec(name).label() + " " + why);
    }

    public OptionSpec spec(String name) {
        OptionSpec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("option --" + name + " is not declared");
        }
        return spec;
    }

    /** All options with their environment variables and defaults. */
    public static String helpText(String command, String summary, List<OptionSpec> options) {
        List<String> lines = new ArrayList<>();
        lines.add("Usage: " + command + " [options]");
        lines.add(summary);
        lines.add("Options (an argument overrides its environment variable):");
        for (OptionSpec o : options) {
            String head = "  --" + o.name() + (o.flag() ? "" : " <value>");
            String env = o.envVar() == null ? "" : "  env " + o.envVar();
            String def = o.defaultValue() == null ? "" : "  default " + o.defaultValue();
            lines.add(String.format("%-34s %s%s%s", head, o.description(), env, def));
        }
        lines.add(String.format("%-34s %s", "  --help", "this text"));
        return String.join(System.lineSeparator(), lines);
    }
}
