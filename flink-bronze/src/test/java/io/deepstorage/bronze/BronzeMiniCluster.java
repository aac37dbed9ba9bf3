package io.deepstorage.bronze;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The Flink MiniCluster of the flink-bronze tests, like Iceberg's {@code MiniFlinkClusterExtension}: one task manager
 * with {@link #SLOTS} slots and little managed memory (the tests use the hashmap state backend). Register it with
 * {@code @RegisterExtension static final MiniClusterExtension CLUSTER = BronzeMiniCluster.EXTENSION;}: the cluster
 * starts before the class's first test and stops after its last, and inside a test
 * {@code StreamExecutionEnvironment.getExecutionEnvironment()} runs on it. Test classes run one after another
 * (surefire's default), so they can share the one instance.
 */
public final class BronzeMiniCluster {
    public static final int SLOTS = 2;

    public static final MiniClusterExtension EXTENSION = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(SLOTS)
                    .setConfiguration(configuration())
                    .build());

    private BronzeMiniCluster() {}

    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
        // Sinks and sources of the tests keep static references; Flink's leaked-classloader check would trip on them.
        conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
        return conf;
    }
}
