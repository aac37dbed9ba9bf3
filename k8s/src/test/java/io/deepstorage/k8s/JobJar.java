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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shaded bronze job jar the Flink image bakes (flink-bronze/target/*-job.jar), read as the image's JVM reads it:
 * its commands' main classes and their option lists ({@code public static List<OptionSpec> OPTIONS}), loaded from
 * the jar itself. Flink is not in the jar (the image provides it), so the jar is loaded without it: class
 * initialisation and the OPTIONS field need no Flink class, and main is looked up by its exact signature only.
 */
final class JobJar {
  private JobJar() {}

  /** One option of a command, as the job jar declares it (io.deepstorage.cli.OptionSpec). */
  record Option(String name, String envVar, boolean flag, String description) {
    /** "file holding the password; else env PG_PASSWORD": the secret a *_FILE option stands in for. */
    String secretEnv() {
      Matcher m = Pattern.compile("else env ([A-Z][A-Z0-9_]+)").matcher(description);
      return m.find() ? m.group(1) : null;
    }

    boolean required() {
      return description.contains("(required)");
    }
  }

  private static URLClassLoader loader;

  static Path path() {
    Path target = Repo.ROOT.resolve("flink-bronze/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded job jar in " + target + " (the reactor packages flink-bronze first)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized ClassLoader loader() {
    if (loader == null) {
      try {
        loader = new URLClassLoader(new URL[] {path().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    }
    return loader;
  }

  /** The class, initialised, from the job jar (AssertionError when the jar does not hold it). */
  static Class<?> load(String fqcn) {
    try {
      return Class.forName(fqcn, true, loader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(fqcn + " is not in " + path().getFileName(), e);
    }
  }

  /** Whether the class has {@code public static void main(String[])}, i.e. a JVM can run it. */
  static boolean hasMain(String fqcn) {
    try {
      MethodHandles.publicLookup().findStatic(load(fqcn), "main", MethodType.methodType(void.class, String[].class));
      return true;
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return false;
    }
  }

  /** The command's {@code OPTIONS}, in declaration order. */
  static List<Option> options(String fqcn) {
    try {
      List<?> specs = (List<?>) load(fqcn).getField("OPTIONS").get(null);
      List<Option> out = new ArrayList<>();
      for (Object o : specs) {
        Class<?> c = o.getClass();
        out.add(new Option((String) c.getMethod("name").invoke(o), (String) c.getMethod("envVar").invoke(o),
            (Boolean) c.getMethod("flag").invoke(o), (String) c.getMethod("description").invoke(o)));
      }
      return out;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(fqcn + " has no readable public static OPTIONS", e);
    }
  }

  /** Every environment variable the command reads: its options' variables and the secrets its *_FILE options stand in for. */
  static Set<String> variables(String fqcn) {
    Set<String> out = new LinkedHashSet<>();
    for (Option o : options(fqcn)) {
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
