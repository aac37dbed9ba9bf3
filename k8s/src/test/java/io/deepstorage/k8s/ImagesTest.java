package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The images, checked without a Docker engine: what the Dockerfiles COPY comes from the Maven artifact paths, lands
 * where the manifests expect it, the build context lets exactly those files through, and nothing is downloaded.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ImagesTest {

  static final Path FLINK_DOCKERFILE = Repo.K8S.resolve("images/flink-bronze/Dockerfile");
  static final Path SPARK_DOCKERFILE = Repo.K8S.resolve("images/spark-jobs/Dockerfile");

  record Copy(List<String> sources, String dest) {}

  /** COPY instructions (with line continuations joined, flags such as --chown dropped). */
  static List<Copy> copies(Path dockerfile) {
    List<Copy> out = new ArrayList<>();
    for (String line : instructions(dockerfile)) {
      if (line.startsWith("COPY ")) {
        List<String> words = new ArrayList<>(List.of(line.substring(5).trim().split("\\s+")));
        words.removeIf(w -> w.startsWith("--"));
        out.add(new Copy(words.subList(0, words.size() - 1), words.get(words.size() - 1)));
      }
    }
    return out;
  }

  static List<String> instructions(Path dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String raw : Repo.read(dockerfile).split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      if (line.endsWith("\\")) {
        cur.append(line, 0, line.length() - 1).append(' ');
      } else {
        cur.append(line);
        out.add(cur.toString().replaceAll("\\s+", " "));
        cur.setLength(0);
      }
    }
    return out;
  }

  /** Map of COPY destination file -> source. */
  static Map<String, String> copyMap(Path dockerfile) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Copy c : copies(dockerfile)) {
      assertThat(c.sources()).as("one source per COPY, so each destination is explicit").hasSize(1);
      out.put(c.dest(), c.sources().get(0));
    }
    return out;
  }

  // ---- Maven artifacts ---------------------------------------------------------------------------------------

  static Document pom(Path p) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(p.toFile());
  }

  static String child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getTagName().equals(name)) {
        return c.getTextContent().trim();
      }
    }
    return null;
  }

  static Map<String, String> rootProperties() throws Exception {
    Map<String, String> props = new HashMap<>();
    Document root = pom(Repo.ROOT.resolve("pom.xml"));
    Element project = root.getDocumentElement();
    props.put("project.version", child(project, "version"));
    Element properties = (Element) project.getElementsByTagName("properties").item(0);
    for (Node n = properties.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        props.put(e.getTagName(), e.getTextContent().trim());
      }
    }
    return props;
  }

  static String resolve(String s, Map<String, String> props) {
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(props.getOrDefault(m.group(1), m.group())));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** module/target/artifactId-version-classifier.jar of a module's shaded job jar, read from its pom. */
  static String shadedJobJar(String module) throws Exception {
    Element project = pom(Repo.ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
    String artifactId = child(project, "artifactId");
    String version = child(project, "version");
    if (version == null) {
      version = child((Element) project.getElementsByTagName("parent").item(0), "version");
    }
    NodeList classifiers = project.getElementsByTagName("shadedClassifierName");
    assertThat(classifiers.getLength()).as(module + " shades a classified job jar").isEqualTo(1);
    return module + "/target/" + artifactId + "-" + version + "-" + classifiers.item(0).getTextContent().trim()
        + ".jar";
  }

  /** k8s/target/image-jars/<destFileName> for every artifact the `images` profile copies. */
  static Map<String, String> imageJars() throws Exception {
    Map<String, String> props = rootProperties();
    Element project = pom(Repo.K8S.resolve("pom.xml")).getDocumentElement();
    Map<String, String> out = new LinkedHashMap<>();
    NodeList profiles = project.getElementsByTagName("profile");
    for (int i = 0; i < profiles.getLength(); i++) {
      Element profile = (Element) profiles.item(i);
      if (!"images".equals(child(profile, "id"))) {
        continue;
      }
      Element exec = (Element) profile.getElementsByTagName("execution").item(0);
      assertThat(child(exec, "phase")).isEqualTo("package");
      Element conf = (Element) exec.getElementsByTagName("configuration").item(0);
      assertThat(child(conf, "outputDirectory")).isEqualTo("${project.build.directory}/image-jars");
      NodeList items = conf.getElementsByTagName("artifactItem");
      for (int j = 0; j < items.getLength(); j++) {
        Element it = (Element) items.item(j);
        String gav = resolve(child(it, "groupId") + ":" + child(it, "artifactId") + ":" + child(it, "version"), props);
        out.put(gav, "k8s/target/image-jars/" + resolve(child(it, "destFileName"), props));
      }
    }
    return out;
  }

  // ---- tests -------------------------------------------------------------------------------------------------

  @Test
  void the_flink_image_bakes_the_bronze_job_jar_from_its_maven_artifact_where_the_jarURI_points() throws Exception {
    String jarUri = String.valueOf(Trees.get(Workloads.bronze().tree(), "spec.job.jarURI"));
    assertThat(jarUri).startsWith("local://");
    String inImage = jarUri.substring("local://".length());
    assertThat(copyMap(FLINK_DOCKERFILE)).containsExactly(Map.entry(inImage, shadedJobJar("flink-bronze")));
    assertThat(shadedJobJar("flink-bronze")).isEqualTo("flink-bronze/target/flink-bronze-0.1.0-SNAPSHOT-job.jar");
  }

  @Test
  void the_flink_image_enables_the_s3_plugin_and_relies_on_the_shipped_prometheus_reporter() {
    List<String> ins = instructions(FLINK_DOCKERFILE);
    assertThat(ins.get(0)).isEqualTo("FROM flink:1.18.1-java17");
    assertThat(String.join("\n", ins))
        .contains("cp /opt/flink/opt/flink-s3-fs-hadoop-1.18.1.jar /opt/flink/plugins/s3-fs-hadoop/")
        .contains("test -f /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-1.18.1.jar");
  }

  @Test
  void the_replay_and_audit_find_their_jar_and_the_s3_plugin_where_the_flink_image_puts_them() {
    Map<String, String> copies = copyMap(FLINK_DOCKERFILE);
    String image = String.join("\n", instructions(FLINK_DOCKERFILE));
    for (Workloads.PodSpec pod : Workloads.maintenancePods()) {
      Map<String, Object> c = Workloads.jvmContainer(pod);
      for (String entry : Workloads.classpath(c).split(":")) {
        if (entry.equals("/opt/flink/lib/*")) {
          continue; // Flink's own jars, in every flink image
        }
        assertThat(copies).as(pod + " classpath " + entry).containsKey(entry);
      }
      String plugins = Workloads.envValue(c, "FLINK_PLUGINS_DIR");
      assertThat(image).as(pod + " FLINK_PLUGINS_DIR").contains(plugins + "/s3-fs-hadoop/");
    }
  }

  @Test
  void the_spark_image_bakes_both_job_jars_where_the_cronjobs_submit_them_from() throws Exception {
    Map<String, String> copies = copyMap(SPARK_DOCKERFILE);
    for (Manifest cj : Workloads.sparkCronJobs()) {
      // silver and retention submit the silver jar, gold the gold jar
      String module = Workloads.sparkModule(cj);
      String jar = Workloads.sparkJar(cj);
      assertThat(copies).as(cj.toString()).containsEntry(jar, shadedJobJar(module));
      assertThat(shadedJobJar(module)).isEqualTo(module + "/target/" + module + "-0.1.0-SNAPSHOT-job.jar");
    }
  }

  // ---- an image override in a kustomize overlay -------------------------------------------------------------

  /** Paths (dotted, list indexes as numbers) of every field named "image" in a tree. */
  static void imageFields(Object node, String path, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String p = path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey();
        if ("image".equals(e.getKey()) && e.getValue() instanceof String) {
          out.add(p);
        } else {
          imageFields(e.getValue(), p, out);
        }
      }
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        imageFields(l.get(i), path + "." + i, out);
      }
    }
  }

  /**
   * kustomize's images transformer: it updates any `image` directly in an element of a `containers` or
   * `initContainers` list, in any kind, and the fields the kustomization's `configurations` name (path, kind).
   */
  @Test
  void a_kustomize_image_override_reaches_every_image_the_kustomization_applies() {
    List<String> configurations = Trees.strings(Repo.kustomization(), "configurations");
    List<Map<String, Object>> specs = new ArrayList<>();
    for (String file : configurations) {
      for (Object spec : Trees.list(Yaml2Json.loadAll(Repo.read(Repo.K8S.resolve(file))).get(0), "images")) {
        specs.add(Trees.asMap(spec));
      }
    }
    int images = 0;
    for (Manifest m : Repo.applied()) {
      List<String> fields = new ArrayList<>();
      imageFields(m.tree(), "", fields);
      for (String field : fields) {
        images++;
        boolean inContainers = field.matches("(.*\\.)?(containers|initContainers)\\.\\d+\\.image");
        boolean configured = specs.stream().anyMatch(spec -> m.kind().equals(spec.get("kind"))
            && field.equals(String.valueOf(spec.get("path")).replace('/', '.')));
        assertThat(inContainers || configured).as(m + " " + field + ": an overlay's `images:` would not change it")
            .isTrue();
      }
    }
    assertThat(images).as("bronze, silver, gold, audit, compaction, retention").isEqualTo(6);
    // The FlinkDeployment names its image at spec.image, outside any containers list.
    assertThat(Trees.get(Workloads.bronze().tree(), "spec.image")).isNotNull();
    assertThat(specs).anySatisfy(spec -> assertThat(spec).containsEntry("kind", "FlinkDeployment")
        .containsEntry("path", "spec/image"));
  }

  @Test
  void the_spark_image_bakes_the_S3A_jars_the_images_profile_copies_from_maven() throws Exception {
    Map<String, String> jars = imageJars();
    assertThat(jars).containsOnlyKeys("org.apache.hadoop:hadoop-aws:3.3.4",
        "com.amazonaws:aws-java-sdk-bundle:1.12.262", "org.apache.spark:spark-hadoop-cloud_2.12:3.5.1");
    Map<String, String> copies = copyMap(SPARK_DOCKERFILE);
    for (String source : jars.values()) {
      String file = source.substring(source.lastIndexOf('/') + 1);
      assertThat(copies).containsEntry("/opt/spark/jars/" + file, source);
    }
    assertThat(copies.keySet()).containsExactlyInAnyOrder("/opt/spark/jars/hadoop-aws-3.3.4.jar",
        "/opt/spark/jars/aws-java-sdk-bundle-1.12.262.jar", "/opt/spark/jars/spark-hadoop-cloud_2.12-3.5.1.jar",
        "/opt/deep-storage/spark-silver-job.jar", "/opt/deep-storage/spark-gold-job.jar");
    assertThat(instructions(SPARK_DOCKERFILE).get(0)).isEqualTo("FROM apache/spark:3.5.1-scala2.12-java17-ubuntu");
    assertThat(instructions(SPARK_DOCKERFILE)).contains("USER 185");
  }

  @Test
  void no_image_downloads_anything_while_building_or_running() {
    for (Path df : List.of(FLINK_DOCKERFILE, SPARK_DOCKERFILE)) {
      for (String ins : instructions(df)) {
        assertThat(ins).as(df + ": " + ins).doesNotContainIgnoringCase("curl ").doesNotContainIgnoringCase("wget ")
            .doesNotContain("http://").doesNotContain("https://").doesNotStartWith("ADD ");
      }
    }
  }

  @Test
  void each_build_context_lets_through_exactly_the_files_its_dockerfile_copies() {
    for (Path df : List.of(FLINK_DOCKERFILE, SPARK_DOCKERFILE)) {
      Path ignore = df.resolveSibling("Dockerfile.dockerignore");
      List<String> lines = Repo.read(ignore).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      assertThat(lines.get(0)).as("ignore everything first").isEqualTo("*");
      List<String> allowed = lines.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
      assertThat(allowed).containsExactlyInAnyOrderElementsOf(copyMap(df).values());
    }
  }

  @Test
  void the_makefile_builds_and_pushes_the_images_the_manifests_run() {
    String make = Repo.read(Repo.K8S.resolve("Makefile"));
    Map<String, String> vars = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^([A-Z_]+) \\?= (.+)$").matcher(make);
    while (m.find()) {
      vars.put(m.group(1), m.group(2).strip());
    }
    Map<String, String> props = new HashMap<>(vars);
    String flink = resolveMake(vars.get("FLINK_BRONZE_IMAGE"), props);
    String spark = resolveMake(vars.get("SPARK_JOBS_IMAGE"), props);
    assertThat(Trees.get(Workloads.bronze().tree(), "spec.image")).isEqualTo(flink);
    for (Manifest cj : Workloads.sparkCronJobs()) {
      assertThat(Workloads.sparkContainer(cj).get("image")).as(cj.toString()).isEqualTo(spark);
    }
    for (Workloads.PodSpec pod : Workloads.maintenancePods()) {
      assertThat(Workloads.jvmContainer(pod).get("image")).as(pod.toString()).isEqualTo(flink);
    }
    assertThat(make).contains("-Pimages").contains("-f $(REPO_ROOT)/k8s/images/flink-bronze/Dockerfile")
        .contains("-f $(REPO_ROOT)/k8s/images/spark-jobs/Dockerfile").contains("push $(FLINK_BRONZE_IMAGE)")
        .contains("push $(SPARK_JOBS_IMAGE)");
  }

  static String resolveMake(String s, Map<String, String> vars) {
    String out = s;
    for (int i = 0; i < 5 && out.contains("$("); i++) {
      Matcher m = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(out);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(sb, Matcher.quoteReplacement(vars.getOrDefault(m.group(1), "")));
      }
      m.appendTail(sb);
      out = sb.toString();
    }
    return out;
  }
}
