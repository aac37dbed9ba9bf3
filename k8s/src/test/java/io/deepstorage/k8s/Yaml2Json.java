package io.deepstorage.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Strict YAML loading (no duplicate keys, safe types only) and YAML-tree to Gson conversion. */
final class Yaml2Json {
  private Yaml2Json() {}

  static List<Object> loadAll(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    List<Object> docs = new ArrayList<>();
    for (Object doc : yaml.loadAll(text)) {
      if (doc != null) {
        docs.add(doc);
      }
    }
    return docs;
  }

  static JsonElement toJson(Object node) {
    if (node == null) {
      return JsonNull.INSTANCE;
    }
    if (node instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      map.forEach((k, v) -> {
        if (!(k instanceof String)) {
          throw new IllegalArgumentException("non-string key " + k + " (quote it in YAML)");
        }
        o.add((String) k, toJson(v));
      });
      return o;
    }
    if (node instanceof List<?> list) {
      JsonArray a = new JsonArray();
      list.forEach(v -> a.add(toJson(v)));
      return a;
    }
    if (node instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (node instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (node instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    throw new IllegalArgumentException(
        "YAML value of type " + node.getClass().getSimpleName() + " (" + node + ") has no JSON form; quote it");
  }

  /** A deep, mutable copy of a YAML tree, for deliberately broken variants. */
  @SuppressWarnings("unchecked")
  static <T> T deepCopy(T node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
      return (T) copy;
    }
    if (node instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(deepCopy(v)));
      return (T) copy;
    }
    return node;
  }
}
