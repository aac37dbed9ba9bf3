package io.deepstorage.spark.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(SharedSparkLake.class)}: starts the JVM-wide {@link SparkLake} once (kept in the root
 * extension store, closed when the whole run ends) and injects it into test constructors and methods.
 */
public final class SharedSparkLake implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSparkLake.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        lake(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SparkLake.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return lake(context);
    }

    private static SparkLake lake(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("lake", k -> new SparkLake(), SparkLake.class);
    }
}
