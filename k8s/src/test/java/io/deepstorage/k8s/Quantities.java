package io.deepstorage.k8s;

import io.kubernetes.client.custom.Quantity;
import java.math.BigDecimal;
import org.apache.flink.configuration.MemorySize;

/** Resource quantities in the three notations the manifests use. */
final class Quantities {
  private Quantities() {}

  /** Kubernetes quantity ("14Gi", "500m", "2") in bytes or cores. */
  static BigDecimal k8s(String q) {
    return new Quantity(q).getNumber();
  }

  static long bytes(String q) {
    return k8s(q).longValueExact();
  }

  /** Flink memory size as the operator reads FlinkDeployment resources ("1024m" = 1024 MiB). */
  static long flinkBytes(String s) {
    return MemorySize.parse(s).getBytes();
  }

  /** JVM / spark-submit memory ("12g" = 12 GiB). */
  static long jvmBytes(String s) {
    return MemorySize.parse(s).getBytes();
  }

  static BigDecimal cpu(Object v) {
    return v instanceof Number n ? new BigDecimal(n.toString()) : k8s(String.valueOf(v));
  }
}
