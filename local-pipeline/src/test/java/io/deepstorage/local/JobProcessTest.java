package io.deepstorage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JobProcessTest {
    @TempDir
    Path home;

    private List<String> commandLine(JobCommand command, List<String> callerOptions) throws Exception {
        Path target = Files.createDirectories(home.resolve(command.module).resolve("target"));
        Files.writeString(target.resolve("job-classpath.txt"), "/opt/a.jar");
        return JobProcess.processBuilder(home, command, callerOptions, List.of("--help"), Map.of()).command();
    }

    @Test
    void a_Spark_job_runs_with_its_heap_then_the_commands_JIT_settings_then_the_callers_options() throws Exception {
        List<String> cmd = commandLine(JobCommand.SILVER, List.of("-Xmx9g"));
        int heap = cmd.indexOf("-Xmx" + JobCommand.SILVER.heap);
        int jit = cmd.indexOf(JobCommand.JvmOptions.JIT.get(0));
        assertThat(heap).isPositive();
        assertThat(cmd.subList(jit, jit + JobCommand.JvmOptions.JIT.size())).isEqualTo(JobCommand.JvmOptions.JIT);
        assertThat(jit).isGreaterThan(heap);
        // A later -Xmx wins: the caller's comes after the command's own.
        assertThat(cmd.indexOf("-Xmx9g")).isGreaterThan(jit);
        assertThat(cmd.subList(cmd.indexOf("io.deepstorage.silver.SilverJob"), cmd.size()))
                .containsExactly("io.deepstorage.silver.SilverJob", "--help");
    }

    @Test
    void every_job_Spark_and_Flink_gets_the_JIT_settings() throws Exception {
        for (JobCommand command : JobCommand.values()) {
            assertThat(command.jvmOptions).as(command.command).isEqualTo(JobCommand.JvmOptions.JIT);
        }
        assertThat(commandLine(JobCommand.BRONZE, List.of())).containsSequence(JobCommand.JvmOptions.JIT);
    }
}
