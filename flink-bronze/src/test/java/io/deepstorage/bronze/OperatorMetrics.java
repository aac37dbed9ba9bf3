package io.deepstorage.bronze;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;

/**
 * The metric groups a TaskManager gives an operator, for operator test harnesses: every metric registered under the
 * operator (also in user groups such as {@code bronze}) can be read by its name below the operator, e.g.
 * {@code bronze.eventsIn} or {@code bronze.sink.events.filesCommitted}. Flink's InterceptingOperatorMetricGroup sees
 * only metrics registered on the operator group itself, so it would miss the group name.
 */
final class OperatorMetrics {
    private final Map<String, Metric> byIdentifier = new ConcurrentHashMap<>();
    private final TaskManagerMetricGroup taskManager;

    OperatorMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setDelimiter('.')
                .setRegisterConsumer((metric, name, group) -> byIdentifier.put(group.getMetricIdentifier(name), metric))
                .build();
        taskManager = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "host", ResourceID.generate());
    }

    /** An environment whose operators register their metrics here; pass it to the harness. */
    MockEnvironment environment() {
        return new MockEnvironmentBuilder()
                .setMetricGroup(taskManager.addJob(new JobID(), "job").addTask(ExecutionAttemptID.randomId(), "task"))
                .build();
    }

    /** The metric registered as {@code name} below its operator ({@code <host>.taskmanager.<tm>.<job>.<operator>.<subtask>.<name>}). */
    Metric get(String name) {
        List<Map.Entry<String, Metric>> found = byIdentifier.entrySet().stream()
                .filter(e -> e.getKey().endsWith("." + name))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one metric named " + name + " but found " + found.size() + " among "
                    + byIdentifier.keySet());
        }
        return found.get(0).getValue();
    }

    long count(String name) {
        return ((Counter) get(name)).getCount();
    }

    Object gauge(String name) {
        return ((Gauge<?>) get(name)).getValue();
    }

}
