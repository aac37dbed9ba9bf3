package io.deepstorage.cli;

/**
 * One command-line option: {@code --name value} (or {@code --name=value}), overriding environment variable
 * {@code envVar} (may be null), falling back to {@code defaultValue} (may be null). A {@code flag} takes no value.
 */
public record OptionSpec(String name, String envVar, String defaultValue, String description, boolean flag) {

    public static OptionSpec value(String name, String envVar, String defaultValue, String description) {
        return new OptionSpec(name, envVar, defaultValue, description, false);
    }

    public static OptionSpec flag(String name, String envVar, String description) {
        return new OptionSpec(name, envVar, "false", description, true);
    }

    /** "--lake (LAKE_URI)", the way error messages name a setting. */
    public String label() {
        return envVar == null ? "--" + name : "--" + name + " (" + envVar + ")";
    }
}
