package io.deepstorage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NetworkPolicyRulesTest {

  static Map<String, Object> policy(String name) {
    return Repo.appliedOne("NetworkPolicy", name).tree();
  }

  static List<Manifest> policies() {
    return Manifest.ofKind(Repo.applied(), "NetworkPolicy");
  }

  static Set<Integer> ports(Object rule) {
    Set<Integer> out = new TreeSet<>();
    for (Object p : Trees.list(rule, "ports")) {
      out.add((Integer) Trees.get(p, "port"));
    }
    return out;
  }

  @Test
  void a_default_deny_policy_selects_every_pod_for_ingress_and_egress_and_allows_nothing() {
    Map<String, Object> deny = policy("default-deny-all");
    assertThat(Trees.map(deny, "spec.podSelector")).isEmpty();
    assertThat(Trees.strings(deny, "spec.policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(Trees.map(deny, "spec")).doesNotContainKeys("ingress", "egress");
  }

  @Test
  void the_object_store_rule_allows_TCP_443_to_any_destination_with_no_to_clause() {
    Map<String, Object> s3 = policy("allow-s3-egress");
    assertThat(Trees.map(s3, "spec.podSelector")).as("every pod writes to S3").isEmpty();
    List<Object> egress = Trees.list(s3, "spec.egress");
    assertThat(egress).hasSize(1);
    assertThat(Trees.asMap(egress.get(0))).as("a `to:` (even namespaceSelector: {}) matches only in-cluster peers")
        .doesNotContainKey("to");
    assertThat(ports(egress.get(0))).containsExactly(443);
    assertThat(Trees.get(egress.get(0), "ports.0.protocol")).isEqualTo("TCP");
  }

  @Test
  void no_egress_rule_relies_on_an_empty_namespace_selector_to_reach_the_internet() {
    for (Manifest m : policies()) {
      for (Object rule : Trees.list(m.tree(), "spec.egress")) {
        for (Object peer : Trees.list(rule, "to")) {
          Object ns = Trees.get(peer, "namespaceSelector");
          if (ns instanceof Map<?, ?> sel) {
            assertThat(sel).as(m + " has namespaceSelector: {}").isNotEmpty();
          }
        }
      }
    }
  }

  @Test
  void DNS_is_allowed_to_kube_dns_in_kube_system_over_UDP_and_TCP() {
    Map<String, Object> dns = policy("allow-dns-egress");
    assertThat(Trees.map(dns, "spec.podSelector")).isEmpty();
    Object rule = Trees.list(dns, "spec.egress").get(0);
    assertThat(Trees.map(rule, "to.0.namespaceSelector.matchLabels"))
        .containsEntry("kubernetes.io/metadata.name", "kube-system");
    assertThat(Trees.list(rule, "ports")).extracting(p -> Trees.get(p, "protocol") + "/" + Trees.get(p, "port"))
        .containsExactlyInAnyOrder("UDP/53", "TCP/53");
  }

  @Test
  void the_database_is_reachable_only_on_5432_at_the_paradedb_pods_of_namespace_robson() {
    Map<String, Object> db = policy("allow-bronze-to-paradedb");
    Object rule = Trees.list(db, "spec.egress").get(0);
    List<Object> peers = Trees.list(rule, "to");
    assertThat(peers).as("ONE peer with both selectors (AND), not two peers (OR)").hasSize(1);
    assertThat(Trees.map(peers.get(0), "namespaceSelector.matchLabels")).containsExactly(Map.entry("name", "robson"));
    assertThat(Trees.map(peers.get(0), "podSelector.matchLabels")).containsExactly(Map.entry("app", "rbs-paradedb"));
    assertThat(ports(rule)).containsExactly(5432);
  }

  @Test
  void the_bronze_pods_policies_select_the_labels_the_operator_puts_on_FlinkDeployment_pods() {
    String app = Workloads.bronze().name();
    for (String name : List.of("allow-bronze-to-paradedb", "allow-bronze-to-kube-apiserver",
        "allow-bronze-intra-cluster", "allow-flink-operator-to-jobmanager-rest", "allow-prometheus-scrape")) {
      assertThat(Trees.map(policy(name), "spec.podSelector.matchLabels")).as(name).containsEntry("app", app);
    }
  }

  @Test
  void JobManager_and_TaskManager_may_talk_on_exactly_the_ports_pinned_in_the_flink_configuration() {
    Map<String, Object> conf = Workloads.flinkConf();
    Set<Integer> pinned = new TreeSet<>();
    for (String key : List.of("rest.port", "jobmanager.rpc.port", "blob.server.port", "taskmanager.rpc.port",
        "taskmanager.data.port")) {
      assertThat(conf).as(key + " must be pinned, Flink picks a random port otherwise").containsKey(key);
      pinned.add(Integer.parseInt(String.valueOf(conf.get(key))));
    }
    Map<String, Object> intra = policy("allow-bronze-intra-cluster");
    assertThat(Trees.strings(intra, "spec.policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
    Object in = Trees.list(intra, "spec.ingress").get(0);
    Object out = Trees.list(intra, "spec.egress").get(0);
    assertThat(ports(in)).isEqualTo(pinned);
    assertThat(ports(out)).isEqualTo(pinned);
    assertThat(Trees.map(in, "from.0.podSelector.matchLabels")).containsEntry("app", Workloads.bronze().name());
    assertThat(Trees.map(out, "to.0.podSelector.matchLabels")).containsEntry("app", Workloads.bronze().name());
  }

  @Test
  void the_flink_pods_may_reach_the_Kubernetes_API_for_HA_and_native_resource_management() {
    Object rule = Trees.list(policy("allow-bronze-to-kube-apiserver"), "spec.egress").get(0);
    assertThat(ports(rule)).contains(6443, 443);
  }

  @Test
  void the_operator_namespace_reaches_only_the_JobManager_REST_port() {
    Map<String, Object> p = policy("allow-flink-operator-to-jobmanager-rest");
    assertThat(Trees.map(p, "spec.podSelector.matchLabels")).containsEntry("component", "jobmanager");
    Object rule = Trees.list(p, "spec.ingress").get(0);
    assertThat(Trees.map(rule, "from.0.namespaceSelector.matchLabels"))
        .containsEntry("kubernetes.io/metadata.name", "flink-operator");
    assertThat(ports(rule)).containsExactly(Integer.parseInt(String.valueOf(Workloads.flinkConf().get("rest.port"))));
  }

  @Test
  void Prometheus_in_the_monitoring_namespace_may_scrape_the_metrics_port() {
    Object rule = Trees.list(policy("allow-prometheus-scrape"), "spec.ingress").get(0);
    assertThat(Trees.map(rule, "from.0.namespaceSelector.matchLabels"))
        .containsEntry("kubernetes.io/metadata.name", "monitoring");
    assertThat(ports(rule)).containsExactly(
        Integer.parseInt(String.valueOf(Workloads.flinkConf().get("metrics.reporter.prom.port"))));
  }

  @Test
  void every_policy_declares_its_policy_types_and_no_rule_opens_all_ports_to_everyone() {
    for (Manifest m : policies()) {
      assertThat(Trees.strings(m.tree(), "spec.policyTypes")).as(m.toString()).isNotEmpty();
      List<Object> rules = new ArrayList<>(Trees.list(m.tree(), "spec.ingress"));
      rules.addAll(Trees.list(m.tree(), "spec.egress"));
      for (Object rule : rules) {
        boolean noPeers = Trees.get(rule, "to") == null && Trees.get(rule, "from") == null;
        assertThat(noPeers && Trees.list(rule, "ports").isEmpty()).as(m + " has an allow-all rule").isFalse();
      }
    }
  }

  // ---- who a policy selects ---------------------------------------------------------------------------------

  /** Whether a label selector (matchLabels AND matchExpressions) selects a pod with these labels. */
  static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
    Object matchLabels = selector.get("matchLabels");
    if (matchLabels instanceof Map<?, ?> ml) {
      for (Map.Entry<?, ?> e : ml.entrySet()) {
        if (!String.valueOf(e.getValue()).equals(labels.get(String.valueOf(e.getKey())))) {
          return false;
        }
      }
    }
    for (Object expr : Trees.list(selector, "matchExpressions")) {
      String key = String.valueOf(Trees.get(expr, "key"));
      List<String> values = Trees.strings(expr, "values");
      Object value = labels.get(key);
      boolean ok = switch (String.valueOf(Trees.get(expr, "operator"))) {
        case "In" -> value != null && values.contains(String.valueOf(value));
        case "NotIn" -> value == null || !values.contains(String.valueOf(value));
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> throw new AssertionError("unknown operator in " + expr);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The names of the policies that select a pod with these labels. */
  static Set<String> policiesSelecting(Map<String, Object> labels) {
    Set<String> out = new TreeSet<>();
    for (Manifest m : policies()) {
      if (selects(Trees.map(m.tree(), "spec.podSelector"), labels)) {
        out.add(m.name());
      }
    }
    return out;
  }

  static final Set<String> EVERY_POD = Set.of("default-deny-all", "allow-dns-egress", "allow-s3-egress");

  @Test
  void the_replay_pod_may_reach_only_DNS_the_object_store_and_the_database() {
    Map<String, Object> labels = Workloads.podOf(Workloads.replay()).labels();
    Set<String> expected = new TreeSet<>(EVERY_POD);
    expected.add("allow-bronze-maintenance-to-paradedb");
    assertThat(policiesSelecting(labels)).isEqualTo(expected);
  }

  @Test
  void the_audit_pod_may_reach_only_DNS_the_object_store_the_database_and_the_pushgateway() {
    Map<String, Object> labels = Workloads.podOf(Workloads.audit()).labels();
    Set<String> expected = new TreeSet<>(EVERY_POD);
    expected.addAll(List.of("allow-bronze-maintenance-to-paradedb", "allow-bronze-audit-to-pushgateway"));
    assertThat(policiesSelecting(labels)).isEqualTo(expected);
  }

  @Test
  void the_compaction_pod_may_reach_only_DNS_and_the_object_store() {
    // It reads and writes bronze and nothing else: no database, although it is a bronze-maintenance pod too.
    assertThat(policiesSelecting(Workloads.podOf(Workloads.compact()).labels())).isEqualTo(new TreeSet<>(EVERY_POD));
  }

  @Test
  void the_spark_pods_silver_gold_and_retention_may_reach_only_DNS_and_the_object_store() {
    assertThat(Workloads.sparkCronJobs()).extracting(Manifest::name).contains("deep-storage-retention");
    for (Manifest cj : Workloads.sparkCronJobs()) {
      assertThat(policiesSelecting(Workloads.podOf(cj).labels())).as(cj.toString()).isEqualTo(new TreeSet<>(EVERY_POD));
    }
  }

  @Test
  void the_replay_and_audit_pods_accept_no_connections_and_are_not_part_of_the_flink_cluster() {
    for (Workloads.PodSpec pod : Workloads.maintenancePods()) {
      assertThat(pod.labels()).as(pod + " must not look like a pod of the bronze FlinkDeployment")
          .doesNotContainKey("app").doesNotContainKey("component");
      for (String name : policiesSelecting(pod.labels())) {
        assertThat(Trees.list(policy(name), "spec.ingress")).as(pod + " via " + name).isEmpty();
      }
    }
  }

  @Test
  void the_maintenance_pods_that_read_the_outbox_reach_the_same_database_pods_on_the_same_port_as_bronze_and_only_they() {
    Map<String, Object> maintenance = policy("allow-bronze-maintenance-to-paradedb");
    assertThat(Trees.strings(maintenance, "spec.policyTypes")).containsExactly("Egress");
    assertThat(Trees.list(maintenance, "spec.egress")).isEqualTo(Trees.list(policy("allow-bronze-to-paradedb"), "spec.egress"));
    // Not the FlinkDeployment's pods (they have their own policy), nor the Spark pods (they never read the outbox),
    // nor the compaction: exactly the maintenance pods whose command has the database's options (in the job jar).
    Map<String, Object> selector = Trees.map(maintenance, "spec.podSelector");
    Set<String> selected = new TreeSet<>();
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      Map<String, Object> labels = new java.util.HashMap<>(pod.labels());
      if (pod.owner().kind().equals("FlinkDeployment")) {
        labels.put("app", pod.owner().name()); // what the operator adds
      }
      boolean readsOutbox = pod.isBronzeMaintenance() && JobConfigurationTest.readsOutbox(JobConfigurationTest.commandOf(pod));
      assertThat(selects(selector, labels)).as(pod.toString()).isEqualTo(readsOutbox);
      if (readsOutbox) {
        selected.add(String.valueOf(labels.get("app.kubernetes.io/name")));
      }
    }
    assertThat(selected).containsExactly("deep-storage-bronze-audit", "deep-storage-replay");
  }

  @Test
  void the_selector_check_honours_match_expressions() {
    Map<String, Object> selector = Map.of("matchLabels", Map.of("a", "x"),
        "matchExpressions", List.of(Map.of("key", "n", "operator", "In", "values", List.of("p", "q"))));
    assertThat(selects(selector, Map.of("a", "x", "n", "p"))).isTrue();
    assertThat(selects(selector, Map.of("a", "x", "n", "r"))).isFalse();
    assertThat(selects(selector, Map.of("a", "x"))).isFalse();
    assertThat(selects(selector, Map.of("a", "y", "n", "q"))).isFalse();
  }

  @Test
  void the_audit_may_push_to_the_monitoring_namespace_on_the_port_of_its_push_url_and_nowhere_else() {
    Map<String, Object> push = policy("allow-bronze-audit-to-pushgateway");
    assertThat(Trees.strings(push, "spec.policyTypes")).containsExactly("Egress");
    List<Object> egress = Trees.list(push, "spec.egress");
    assertThat(egress).hasSize(1);
    assertThat(Trees.list(egress.get(0), "to")).singleElement().satisfies(peer ->
        assertThat(Trees.map(peer, "namespaceSelector.matchLabels"))
            .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring")));
    String url = Workloads.envValue(Workloads.jvmContainer(Workloads.podOf(Workloads.audit())), "AUDIT_METRICS_PUSH_URL");
    java.net.URI uri = java.net.URI.create(url);
    assertThat(uri.getHost()).contains(".monitoring.svc");
    assertThat(ports(egress.get(0))).containsExactly(uri.getPort());
    for (Workloads.PodSpec pod : Workloads.podSpecs()) {
      boolean selected = selects(Trees.map(push, "spec.podSelector"), pod.labels());
      assertThat(selected).as(pod.toString()).isEqualTo(pod.owner().equals(Workloads.audit()));
    }
  }
}
