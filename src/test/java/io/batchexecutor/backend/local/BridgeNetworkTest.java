package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateNetworkCmd;
import com.github.dockerjava.api.command.CreateNetworkResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.command.CreateNetworkCmdImpl;
import com.github.dockerjava.core.command.InpectNetworkCmdImpl;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bridge network of {@code batch-executor.local.network=bridge}, against an engine that answers
 * the two calls it makes (CI's engine runs with {@code --bridge=none}: no bridge can be made
 * there).
 */
class BridgeNetworkTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** An engine with at most one network, {@code existing}; it records each network created. */
  private static final class Engine {
    Network existing;
    final List<CreateNetworkCmd> created = new ArrayList<>();
    int inspected;

    DockerClient client() {
      return (DockerClient)
          Proxy.newProxyInstance(
              DockerClient.class.getClassLoader(),
              new Class<?>[] {DockerClient.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "inspectNetworkCmd" ->
                        new InpectNetworkCmdImpl(
                            command -> {
                              inspected++;
                              if (existing == null
                                  || !existing.getName().equals(command.getNetworkId())) {
                                throw new NotFoundException("network not found");
                              }
                              return existing;
                            });
                    case "createNetworkCmd" ->
                        new CreateNetworkCmdImpl(
                            command -> {
                              created.add(command);
                              existing = network(command.getName(), command.getOptions());
                              return new CreateNetworkResponse();
                            });
                    default -> throw new UnsupportedOperationException(method.getName());
                  });
    }
  }

  private static Network network(String name, Map<String, String> options) {
    return JSON.convertValue(
        Map.of("Name", name, "Driver", "bridge", "Options", options), Network.class);
  }

  @Test
  void aMissingNetworkIsCreatedOnceWithTrafficBetweenContainersOff() {
    Engine engine = new Engine();
    BridgeNetwork network = new BridgeNetwork(engine.client(), "batch-executor-tasks");

    network.ensure();
    network.ensure();

    assertThat(engine.created).hasSize(1);
    CreateNetworkCmd created = engine.created.get(0);
    assertThat(created.getName()).isEqualTo("batch-executor-tasks");
    assertThat(created.getDriver()).isEqualTo("bridge");
    assertThat(created.getOptions()).containsEntry(BridgeNetwork.ICC_OPTION, "false");
    assertThat(engine.inspected).as("asked once, then remembered").isEqualTo(1);
  }

  @Test
  void anExistingNetworkWithTrafficBetweenContainersOffIsUsedAsItIs() {
    Engine engine = new Engine();
    engine.existing = network("batch-executor-tasks", Map.of(BridgeNetwork.ICC_OPTION, "false"));

    new BridgeNetwork(engine.client(), "batch-executor-tasks").ensure();

    assertThat(engine.created).isEmpty();
  }

  @Test
  void anExistingNetworkThatLetsContainersReachEachOtherIsRefusedEveryTime() {
    Engine engine = new Engine();
    engine.existing = network("batch-executor-tasks", Map.of());
    BridgeNetwork network = new BridgeNetwork(engine.client(), "batch-executor-tasks");

    assertThatThrownBy(network::ensure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("batch-executor-tasks")
        .hasMessageContaining(BridgeNetwork.ICC_OPTION + "=false");
    assertThatThrownBy(network::ensure).isInstanceOf(IllegalStateException.class);
    assertThat(engine.created).isEmpty();
  }
}
