package io.deepstorage.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A shaded job jar an image bakes ({@code <module>/target/*-job.jar}), read as the image's JVM reads it: its commands'
 * main classes and their option lists ({@code public static List<OptionSpec> OPTIONS}), loaded from the jar itself.
 * The engine is not in the jar (the image provides Flink, or Spark), so the jar is loaded without it: class
 * initialisation and the OPTIONS field need no engine class, and main is looked up by its exact signature only.
 * Without a module: the bronze job jar (flink-bronze), which the replay, the audit and the compaction run.
 */
final class JobJar {
  private JobJar() {}

  static final String BRONZE = "flink-bronze";

  /** One option of a command, as the job jar declares it (io.deepstorage.cli.OptionSpec). */
  record Option(String name, String envVar, String defaultValue, boolean flag, String description) {
    /** "file holding the password; else env PG_PASSWORD": the secret a *_FILE option stands in for. */
    String secretEnv() {
      Matcher m = Pattern.compile("else env ([A-Z][A-Z0-9_]+)").matcher(description);
      return m.find() ? m.group(1) : null;
    }

    boolean required() {
      return description.contains("(required)");
    }
  }

  private static final Map<String, URLClassLoader> LOADERS = new HashMap<>();

  static Path path() {
    return path(BRONZE);
  }

  /** The module's shaded job jar, {@code <module>/target/*-job.jar}. */
  static Path path(String module) {
    Path target = Repo.ROOT.resolve(module).resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded job jar in " + target + " (the reactor packages " + module
              + " first)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized ClassLoader loader(String module) {
    return LOADERS.computeIfAbsent(module, m -> {
      try {
        return new URLClassLoader(new URL[] {path(m).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static Class<?> load(String fqcn) {
    return load(BRONZE, fqcn);
  }

  /** The class, initialised, from the module's job jar (AssertionError when the jar does not hold it). */
  static Class<?> load(String module, String fqcn) {
    try {
      return Class.forName(fqcn, true, loader(module));
    } catch (ClassNotFoundException e) {
      throw new AssertionError(fqcn + " is not in " + path(module).getFileName(), e);
    }
  }

  static boolean hasMain(String fqcn) {
    return hasMain(BRONZE, fqcn);
  }

  /** Whether the class has {@code public static void main(String[])} in the module's job jar, i.e. a JVM can run it. */
  static boolean hasMain(String module, String fqcn) {
    try {
      MethodHandles.publicLookup().findStatic(load(module, fqcn), "main",
          MethodType.methodType(void.class, String[].class));
      return true;
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return false;
    }
  }

  static List<Option> options(String fqcn) {
    return options(BRONZE, fqcn);
  }

  /** The class's {@code OPTIONS}, in declaration order, from the module's job jar. */
  static List<Option> options(String module, String fqcn) {
    try {
      List<?> specs = (List<?>) load(module, fqcn).getField("OPTIONS").get(null);
      List<Option> out = new ArrayList<>();
      for (Object o : specs) {
        Class<?> c = o.getClass();
        out.add(new Option((String) c.getMethod("name").invoke(o), (String) c.getMethod("envVar").invoke(o),
            (String) c.getMethod("defaultValue").invoke(o), (Boolean) c.getMethod("flag").invoke(o),
            (String) c.getMethod("description").invoke(o)));
      }
      return out;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(fqcn + " has no readable public static OPTIONS", e);
    }
  }

  static Set<String> variables(String fqcn) {
    return variables(options(fqcn));
  }

  /** Every environment variable the options read: their variables and the secrets their *_FILE options stand in for. */
  static Set<String> variables(List<Option> options) {
    Set<String> out = new LinkedHashSet<>();
    for (Option o : options) {
      if (o.envVar() != null) {
        out.add(o.envVar());
      }
      if (o.secretEnv() != null) {
        out.add(o.secretEnv());
      }
    }
    return out;
  }
}
