package io.deepstorage.bronze;

import java.util.Optional;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.SettingException;

/**
 * Flink inside the command's own JVM (a MiniCluster): how the bounded jobs (replay, audit repair) run in their
 * Kubernetes pod and on a laptop, and how {@code ./deep-storage bronze} runs the streaming job locally.
 */
public final class InProcessFlink {
    private InProcessFlink() {}

    /**
     * The Flink configuration: the flink-conf.yaml in {@code FLINK_CONF_DIR} when set (as in the Flink image), then
     * the S3 filesystem from the lake endpoint (the flink-s3-fs-hadoop plugin found through FLINK_PLUGINS_DIR).
     */
    public static Configuration configuration(LakeEndpoint lake) {
        String confDir = System.getenv("FLINK_CONF_DIR");
        Configuration conf = confDir == null || confDir.isBlank()
                ? new Configuration()
                : GlobalConfiguration.loadConfiguration(confDir);
        return BronzeJob.configureS3(lake, conf);
    }

    /** An in-process job writes to an S3 endpoint it is given: there is no cluster configuration to fall back on. */
    public static void requireEndpoint(CommandLine cli, LakeEndpoint lake) {
        if (lake.endpoint().isEmpty()) {
            throw new SettingException(cli.spec("s3-endpoint").label() + " is required (the job runs Flink in its own process)");
        }
    }

    /** The environment every in-process run uses, restoring from {@code resumeFrom} (a checkpoint or savepoint). */
    public static StreamExecutionEnvironment environment(Configuration flinkConf, Optional<String> resumeFrom) {
        Configuration conf = new Configuration(flinkConf);
        // A broken job fails after a few tries (the pod or the user sees it) instead of restarting forever.
        setDefault(conf, "restart-strategy.type", "fixed-delay");
        setDefault(conf, "restart-strategy.fixed-delay.attempts", "3");
        setDefault(conf, "restart-strategy.fixed-delay.delay", "2 s");
        setDefault(conf, "execution.checkpointing.tolerable-failed-checkpoints", "3");
        resumeFrom.ifPresent(path -> conf.setString("execution.savepoint.path", path));
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    private static void setDefault(Configuration conf, String key, String value) {
        if (!conf.containsKey(key)) {
            conf.setString(key, value);
        }
    }
}
