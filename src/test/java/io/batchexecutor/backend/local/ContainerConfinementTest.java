package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.TaskNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The operator's {@code batch-executor.local.*} as the confinement of task containers. */
class ContainerConfinementTest {

  private static ContainerConfinement bound(String... settings) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      values.put("batch-executor.local." + settings[i], settings[i + 1]);
    }
    return ContainerConfinement.of(
        new Binder(new MapConfigurationPropertySource(values))
            .bindOrCreate("batch-executor", BatchExecutorProperties.class));
  }

  @Test
  void theDefaultsConfineAndRelaxNothing() {
    ContainerConfinement defaults = bound();

    assertThat(defaults).isEqualTo(ContainerConfinement.defaults());
    assertThat(defaults.user()).isEqualTo("10001:10001");
    assertThat(defaults.networkMode()).isEqualTo("none");
    assertThat(defaults.readOnlyRoot()).isTrue();
    assertThat(defaults.noNewPrivileges()).isTrue();
    assertThat(defaults.addCapabilities()).isEmpty();
    assertThat(defaults.pidsLimit()).isEqualTo(512);
    assertThat(defaults.maxLogBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(defaults.relaxations()).isEmpty();
    assertThat(defaults.details())
        .containsEntry("user", "10001:10001")
        .containsEntry("network", "none")
        .containsEntry("read_only_root", true)
        .containsEntry("pids_limit", 512L)
        .containsEntry("relaxations", List.of());
  }

  @Test
  void eachRelaxationIsNamedWithItsSetting() {
    ContainerConfinement relaxed =
        bound(
            "user", "0:0",
            "network", "host",
            "read-only-root", "false",
            "no-new-privileges", "false",
            "add-capabilities", "sys_ptrace,CAP_NET_RAW",
            "pids-limit", "0",
            "max-log-size", "2MB");

    assertThat(relaxed.addCapabilities())
        .containsExactly(Capability.SYS_PTRACE, Capability.NET_RAW);
    assertThat(relaxed.maxLogBytes()).isEqualTo(2L * 1024 * 1024);
    assertThat(relaxed.relaxations())
        .hasSize(6)
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.user=0:0"))
        .anySatisfy(
            r -> assertThat(r).startsWith("batch-executor.local.network=host").contains("loopback"))
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.read-only-root=false"))
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.no-new-privileges=false"))
        .anySatisfy(
            r ->
                assertThat(r)
                    .startsWith("batch-executor.local.add-capabilities=SYS_PTRACE,NET_RAW"))
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.pids-limit=0"));
  }

  @Test
  void aBridgeNamesItsNetworkAndWhatItStillReaches() {
    ContainerConfinement bridge = bound("network", "bridge", "bridge-network", "team-tasks");

    assertThat(bridge.network()).isEqualTo(TaskNetwork.BRIDGE);
    assertThat(bridge.networkMode()).isEqualTo("team-tasks");
    assertThat(bridge.details()).containsEntry("bridge_network", "team-tasks");
    assertThat(bridge.relaxations())
        .singleElement()
        .asString()
        .contains("team-tasks")
        .contains("0.0.0.0")
        .contains("metadata");
  }

  @Test
  void anUnknownCapabilityOrAllIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> bound("add-capabilities", "FLY"))
        .hasMessageContaining("batch-executor.local.add-capabilities")
        .hasMessageContaining("FLY");
    assertThatThrownBy(() -> bound("add-capabilities", "ALL"))
        .hasMessageContaining("batch-executor.local.add-capabilities");
  }
}
