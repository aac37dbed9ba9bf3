package io.deepstorage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CommandLineTest {
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("bucket", "S3_BUCKET", null, "the bucket"),
            OptionSpec.value("interval", "INTERVAL", "30s", "how often"),
            OptionSpec.flag("overwrite", null, "replace"));

    @Test
    void anArgumentWinsOverItsEnvironmentVariableWhichWinsOverTheDefault() {
        CommandLine fromEnv = CommandLine.parse(new String[0], Map.of("S3_BUCKET", "env-bucket"), OPTIONS);
        CommandLine fromArg = CommandLine.parse(new String[] {"--bucket=arg-bucket", "--interval", "5s"}, Map.of("S3_BUCKET", "env-bucket"), OPTIONS);
        assertThat(fromEnv.required("bucket")).isEqualTo("env-bucket");
        assertThat(fromEnv.required("interval")).isEqualTo("30s");
        assertThat(fromArg.required("bucket")).isEqualTo("arg-bucket");
        assertThat(fromArg.required("interval")).isEqualTo("5s");
    }

    @Test
    void aFlagTakesNoValue() {
        assertThat(CommandLine.parse(new String[] {"--overwrite"}, Map.of(), OPTIONS).bool("overwrite")).isTrue();
        assertThat(CommandLine.parse(new String[0], Map.of(), OPTIONS).bool("overwrite")).isFalse();
    }

    @Test
    void mistakesAreOneLineNamingTheSetting() {
        assertThatThrownBy(() -> CommandLine.parse(new String[0], Map.of(), OPTIONS).required("bucket"))
                .isInstanceOf(SettingException.class).hasMessage("--bucket (S3_BUCKET) is required");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--bukket", "x"}, Map.of(), OPTIONS))
                .hasMessage("unknown option --bukket (see --help)");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--interval"}, Map.of(), OPTIONS))
                .hasMessage("--interval needs a value");
    }

    @Test
    void helpNamesEveryOptionWithItsEnvironmentVariableAndDefault() {
        String help = CommandLine.helpText("job", "does a thing", OPTIONS);
        assertThat(help).contains("--bucket <value>", "env S3_BUCKET", "--interval <value>", "default 30s", "--overwrite", "--help");
    }
}
