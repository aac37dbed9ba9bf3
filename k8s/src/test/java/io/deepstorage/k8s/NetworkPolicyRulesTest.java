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
}
