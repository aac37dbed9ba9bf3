package io.deepstorage.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where things are: the k8s module, the repository root, the manifests the kustomization applies, and the ones an
 * operator creates by hand (k8s/jobs/, never applied).
 */
final class Repo {
  private Repo() {}

  /** The k8s module directory (surefire runs tests with the module as working directory). */
  static final Path K8S = locateK8s();

  static final Path ROOT = K8S.getParent();

  private static Path locateK8s() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p : List.of(here, here.resolve("k8s"))) {
      if (Files.isRegularFile(p.resolve("kustomization.yaml"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find k8s/kustomization.yaml from " + here);
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> kustomization() {
    return (Map<String, Object>) Yaml2Json.loadAll(read(K8S.resolve("kustomization.yaml"))).get(0);
  }

  /** The files listed in kustomization.yaml's resources, in order: the applied manifests. */
  static List<Path> appliedFiles() {
    return Trees.strings(kustomization(), "resources").stream().map(K8S::resolve).map(Path::normalize).toList();
  }

  static List<Manifest> load(Path file) {
    List<Manifest> out = new ArrayList<>();
    List<Object> docs = Yaml2Json.loadAll(read(file));
    for (int i = 0; i < docs.size(); i++) {
      if (!(docs.get(i) instanceof Map)) {
        throw new IllegalArgumentException(file + " document " + i + " is not a mapping");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> tree = (Map<String, Object>) docs.get(i);
      out.add(new Manifest(file, i, tree));
    }
    return out;
  }

  /** Every document of every applied manifest file. */
  static List<Manifest> applied() {
    return appliedFiles().stream().flatMap(f -> load(f).stream()).toList();
  }

  /** The hand-created manifests, k8s/jobs/*.yaml (kubectl create -f, once per use); the kustomization never lists them. */
  static List<Path> handCreatedFiles() {
    return filesUnder("jobs", ".yaml");
  }

  static List<Manifest> handCreated() {
    return handCreatedFiles().stream().flatMap(f -> load(f).stream()).toList();
  }

  /** Everything that reaches the API server: the applied manifests, then the hand-created ones. */
  static List<Manifest> validated() {
    List<Manifest> all = new ArrayList<>(applied());
    all.addAll(handCreated());
    return all;
  }

  /** A hand-created object, by kind and metadata.generateName. */
  static Manifest handCreatedOne(String kind, String generateName) {
    return handCreated().stream()
        .filter(m -> kind.equals(m.kind()) && generateName.equals(m.generateName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no hand-created " + kind + "/" + generateName + "*"));
  }

  static Manifest appliedOne(String kind, String name) {
    return applied().stream()
        .filter(m -> kind.equals(m.kind()) && name.equals(m.name()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no applied " + kind + "/" + name));
  }

  static List<Path> filesUnder(String dir, String suffix) {
    try (Stream<Path> s = Files.walk(K8S.resolve(dir))) {
      return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Manifest> secretTemplates() {
    return filesUnder("secrets", ".template.yaml").stream().flatMap(f -> load(f).stream()).toList();
  }
}
