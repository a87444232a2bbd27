package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How batch-executor.backends, the former batch-executor.backend and the instance's agree. */
class DeploymentBackendsTest {

  private static final Backend LOCAL = Backend.LOCAL;
  private static final Backend BATCH = Backend.AWSBATCH;

  @Test
  void nothingSetIsLocalOnly() {
    DeploymentBackends backends = DeploymentBackends.of(null, null, null);

    assertThat(backends.deployment()).containsExactly(LOCAL);
    assertThat(backends.instance()).containsExactly(LOCAL);
    assertThat(backends.defaultBackend()).isEqualTo(LOCAL);
  }

  @Test
  void theFormerSettingAloneIsAListOfOne() {
    DeploymentBackends backends = DeploymentBackends.of(BATCH, null, null);

    assertThat(backends.deploymentNames()).containsExactly("awsbatch");
    assertThat(backends.runsHere(BATCH)).isTrue();
    assertThat(backends.lists(LOCAL)).isFalse();
  }

  @Test
  void theListsFirstIsTheDefaultAndAnInstanceRunsAllOfThem() {
    DeploymentBackends backends = DeploymentBackends.of(null, List.of(BATCH, LOCAL), null);

    assertThat(backends.defaultBackend()).isEqualTo(BATCH);
    assertThat(backends.instance()).containsExactly(BATCH, LOCAL);
  }

  @Test
  void theFormerSettingWithTheListChoosesTheDefaultAmongThem() {
    DeploymentBackends backends = DeploymentBackends.of(BATCH, List.of(LOCAL, BATCH), null);

    assertThat(backends.deployment()).containsExactly(BATCH, LOCAL);
  }

  @Test
  void theFormerSettingOutsideTheListIsRefused() {
    assertThatThrownBy(() -> DeploymentBackends.of(BATCH, List.of(LOCAL), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch-executor.backend is awsbatch")
        .hasMessageContaining("batch-executor.backends (local) does not list");
  }

  @Test
  void noneIsRefusedBesideAnotherBackend() {
    assertThatThrownBy(() -> DeploymentBackends.of(null, List.of(LOCAL, Backend.NONE), null))
        .hasMessageContaining("lists none with other backends (local,none)");
  }

  @Test
  void anInstanceRunsSomeOfTheDeploymentsBackends() {
    DeploymentBackends backends =
        DeploymentBackends.of(null, List.of(LOCAL, BATCH), List.of(LOCAL));

    assertThat(backends.instance()).containsExactly(LOCAL);
    assertThat(backends.runsHere(BATCH)).isFalse();
    assertThat(backends.lists(BATCH)).isTrue();
  }

  @Test
  void anInstanceRunningABackendTheDeploymentDoesNotIsRefused() {
    assertThatThrownBy(() -> DeploymentBackends.of(null, List.of(LOCAL), List.of(BATCH)))
        .hasMessageContaining("batch-executor.instance.backends names awsbatch")
        .hasMessageContaining("(batch-executor.backends: local)");
  }

  @Test
  void repeatedEntriesCountOnce() {
    assertThat(DeploymentBackends.of(null, List.of(LOCAL, LOCAL, BATCH), null).deployment())
        .containsExactly(LOCAL, BATCH);
  }
}
