package io.deepstorage.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resolved options: an argument wins over its environment variable, which wins over the default. */
public final class CommandLine {
    private final Map<String, OptionSpec> specs;
    private final Map<String, String> values;

    private CommandLine(Map<String, OptionSpec> specs, Map<String, String> values) {
        this.specs = specs;
        this.values = values;
    }

    public static boolean wantsHelp(String[] args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    public static CommandLine parse(String[] args, Map<String, String> env, List<OptionSpec> options) {
        Map<String, OptionSpec> specs = new LinkedHashMap<>();
        options.forEach(o -> specs.put(o.name(), o));
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
        return new CommandLine(specs, values);
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
