package io.deepstorage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TypedOptionsTest {
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("port", "PG_PORT", "5432", "port"),
            OptionSpec.value("interval", "INTERVAL", "30s", "how often"),
            OptionSpec.value("mode", "MODE", "initial", "mode"),
            OptionSpec.value("slot", "SLOT", "deep_storage", "slot"),
            OptionSpec.value("as-of", null, null, "when"),
            OptionSpec.value("key-file", "KEY_FILE", null, "key file"));

    static CommandLine parse(Map<String, String> env, String... args) {
        return CommandLine.parse(args, env, OPTIONS);
    }

    @Test
    void integersAreBoundedAndNamedWhenWrong() {
        assertThat(parse(Map.of()).integer("port", 1, 65535)).isEqualTo(5432);
        assertThat(parse(Map.of(), "--port", "1_000").longInteger("port", 1, 65535)).isEqualTo(1000);
        assertThatThrownBy(() -> parse(Map.of("PG_PORT", "0")).integer("port", 1, 65535))
                .isInstanceOf(SettingException.class).hasMessage("--port (PG_PORT) must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> parse(Map.of(), "--port", "five").integer("port", 1, 65535))
                .hasMessage("--port (PG_PORT) must be a whole number, got 'five'");
        assertThat(parse(Map.of(), "--port", "").optionalInteger("as-of", 1, 2)).isEmpty();
    }

    @Test
    void durationsReadTheShortFormsAndRefuseZero() {
        assertThat(parse(Map.of()).duration("interval")).isEqualTo(Duration.ofSeconds(30));
        assertThat(parse(Map.of(), "--interval", "500ms").duration("interval")).isEqualTo(Duration.ofMillis(500));
        assertThat(parse(Map.of(), "--interval", "7d").duration("interval")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> parse(Map.of(), "--interval", "0s").duration("interval"))
                .hasMessage("--interval (INTERVAL) must be longer than zero");
        assertThatThrownBy(() -> parse(Map.of(), "--interval", "soon").duration("interval"))
                .hasMessage("--interval (INTERVAL) 'soon' is not a duration like 500ms, 30s, 5m, 2h or 7d");
    }

    @Test
    void oneOfIdentifiersAndInstantsAreChecked() {
        assertThat(parse(Map.of()).oneOf("mode", List.of("initial", "latest"))).isEqualTo("initial");
        assertThatThrownBy(() -> parse(Map.of(), "--mode", "never").oneOf("mode", List.of("initial", "latest")))
                .hasMessage("--mode (MODE) must be one of [initial, latest], got 'never'");
        assertThat(parse(Map.of()).identifier("slot")).isEqualTo("deep_storage");
        assertThatThrownBy(() -> parse(Map.of(), "--slot", "Bad-Slot").identifier("slot"))
                .hasMessage("--slot (SLOT) must be a lower-case PostgreSQL identifier, got 'Bad-Slot'");
        assertThat(parse(Map.of(), "--as-of", "2024-03-01T00:00:00Z").instant("as-of")).contains(Instant.parse("2024-03-01T00:00:00Z"));
        assertThat(parse(Map.of()).instant("as-of")).isEmpty();
        assertThatThrownBy(() -> parse(Map.of(), "--as-of", "yesterday").instant("as-of"))
                .hasMessageStartingWith("--as-of must be an ISO-8601 instant");
    }

    @Test
    void aSecretComesFromItsFileElseFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "from-file\n");
        assertThat(parse(Map.of("KEY", "from-env"), "--key-file", key.toString()).secret("key-file", "KEY")).contains("from-file");
        assertThat(parse(Map.of("KEY_FILE", key.toString())).secret("key-file", "KEY")).contains("from-file");
        assertThat(parse(Map.of("KEY", " from-env ")).secret("key-file", "KEY")).contains("from-env");
        assertThat(parse(Map.of("KEY", "  ")).secret("key-file", "KEY")).isEmpty();
    }

    @Test
    void anEmptyOrUnreadableSecretFileIsAnErrorNamingTheSetting(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> parse(Map.of("KEY", "from-env"), "--key-file", empty.toString()).secret("key-file", "KEY"))
                .isInstanceOf(SettingException.class).hasMessage("--key-file (KEY_FILE) points to an empty file: " + empty);
        String missing = dir.resolve("missing").toString();
        assertThatThrownBy(() -> parse(Map.of(), "--key-file", missing).secret("key-file", "KEY"))
                .hasMessage("--key-file (KEY_FILE) cannot be read: " + missing);
    }

    @Test
    void anOptionDeclaredTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> CommandLine.parse(new String[0], Map.of(), OPTIONS, List.of(OptionSpec.value("port", null, null, "again"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port is declared twice");
    }
}
