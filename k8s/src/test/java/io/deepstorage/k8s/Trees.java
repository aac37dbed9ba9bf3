package io.deepstorage.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Navigation in YAML trees (maps and lists) by dotted paths; a numeric segment indexes a list. */
final class Trees {
  private Trees() {}

  /** Splits a path on dots; a key that itself contains a dot is written with the dot escaped: requests\\.cpu. */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("(?<!\\\\)\\.")) {
      out.add(s.replace("\\.", "."));
    }
    return out;
  }

  private static String parentPath(String path) {
    List<String> raw = new ArrayList<>(List.of(path.split("(?<!\\\\)\\.")));
    raw.remove(raw.size() - 1);
    return String.join(".", raw);
  }

  static Object get(Object node, String path) {
    if (path.isEmpty()) {
      return node;
    }
    Object cur = node;
    for (String seg : segments(path)) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(seg);
      } else if (cur instanceof List<?> l && seg.matches("\\d+")) {
        int i = Integer.parseInt(seg);
        cur = i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String path) {
    Object v = get(node, path);
    if (!(v instanceof Map)) {
      throw new AssertionError("expected a mapping at " + path + " but found " + v);
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object node) {
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String path) {
    Object v = get(node, path);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List)) {
      throw new AssertionError("expected a list at " + path + " but found " + v);
    }
    return (List<Object>) v;
  }

  /** Sets (or with value == REMOVE, removes) the leaf of a path whose parents exist. */
  @SuppressWarnings("unchecked")
  static void set(Object root, String path, Object value) {
    List<String> segs = segments(path);
    Object parent = get(root, parentPath(path));
    String leaf = segs.get(segs.size() - 1);
    if (parent instanceof Map<?, ?> m) {
      Map<String, Object> mm = (Map<String, Object>) m;
      if (value == REMOVE) {
        if (mm.remove(leaf) == null) {
          throw new AssertionError("nothing to remove at " + path);
        }
      } else {
        mm.put(leaf, value);
      }
    } else if (parent instanceof List<?> l) {
      List<Object> ll = (List<Object>) l;
      if (value == REMOVE) {
        ll.remove(Integer.parseInt(leaf));
      } else {
        ll.set(Integer.parseInt(leaf), value);
      }
    } else {
      throw new AssertionError("no parent for " + path);
    }
  }

  /** Renames a key, keeping its value: the "typo" mutation. */
  static void rename(Object root, String path, String newLeaf) {
    Object v = get(root, path);
    if (v == null) {
      throw new AssertionError("nothing at " + path);
    }
    set(root, path, REMOVE);
    String parent = parentPath(path);
    set(root, (parent.isEmpty() ? "" : parent + ".") + newLeaf.replace(".", "\\."), v);
  }

  static final Object REMOVE = new Object();

  /** Visits every (path, scalar-or-container) pair of a tree, depth first. */
  static void walk(Object node, String path, BiConsumer<String, Object> visitor) {
    visitor.accept(path, node);
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path.isEmpty() ? String.valueOf(k) : path + "." + k, visitor));
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        walk(l.get(i), path + "." + i, visitor);
      }
    }
  }

  static List<String> strings(Object node, String path) {
    List<String> out = new ArrayList<>();
    for (Object o : list(node, path)) {
      out.add(String.valueOf(o));
    }
    return out;
  }
}
