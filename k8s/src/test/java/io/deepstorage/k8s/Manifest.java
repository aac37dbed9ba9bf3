package io.deepstorage.k8s;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One YAML document of a manifest file. */
record Manifest(Path file, int index, Map<String, Object> tree) {

  String apiVersion() {
    return (String) tree.get("apiVersion");
  }

  String kind() {
    return (String) tree.get("kind");
  }

  String name() {
    return (String) Trees.get(tree, "metadata.name");
  }

  /** metadata.generateName: the prefix of a name the API server completes (hand-created Jobs). */
  String generateName() {
    return (String) Trees.get(tree, "metadata.generateName");
  }

  /** metadata.labels, empty when there are none. */
  @SuppressWarnings("unchecked")
  Map<String, Object> labels() {
    Object labels = Trees.get(tree, "metadata.labels");
    return labels instanceof Map ? (Map<String, Object>) labels : Map.of();
  }

  String namespace() {
    return (String) Trees.get(tree, "metadata.namespace");
  }

  @Override
  public String toString() {
    String name = name() != null ? name() : generateName() + "*";
    return kind() + "/" + name + " (" + Repo.K8S.relativize(file) + (index > 0 ? " #" + index : "") + ")";
  }

  static boolean isKind(Manifest m, String kind) {
    return kind.equals(m.kind());
  }

  static List<Manifest> ofKind(List<Manifest> all, String kind) {
    return all.stream().filter(m -> isKind(m, kind)).toList();
  }
}
