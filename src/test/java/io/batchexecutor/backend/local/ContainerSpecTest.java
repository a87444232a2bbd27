package io.batchexecutor.backend.local;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.BatchExecutorProperties.TaskNetwork;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a task container is created with, as the engine's create call gets it: confined by default
 * (unprivileged user, no capabilities, no-new-privileges, read-only root, pids limit, capped log,
 * no network), each relaxation only where the operator's confinement says so.
 */
class ContainerSpecTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TaskSettings ONE_GB =
      new TaskSettings(
          null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 1.5, 1.0, 0, 3, 300, 10,
          null, null, null);

  private static ContainerSpec specOf(Task task, ContainerConfinement confinement) {
    return new LaunchSpecification(null, JSON, confinement).spec(task, 2, null, 1.5);
  }

  private static CreateContainerCmdImpl created(ContainerSpec spec) {
    CreateContainerCmdImpl create =
        new CreateContainerCmdImpl(
            c -> {
              throw new AssertionError("not sent");
            },
            null,
            "image");
    spec.applyTo(create);
    return create;
  }

  @Test
  void byDefaultATaskContainerIsConfined() {
    Task task = aTask().settings(ONE_GB).build();
    CreateContainerCmdImpl create = created(specOf(task, ContainerConfinement.defaults()));
    HostConfig host = create.getHostConfig();

    assertThat(create.getName()).isEqualTo("batch-executor-" + task.id() + "-2");
    assertThat(create.getUser()).isEqualTo("10001:10001");
    assertThat(host.getNetworkMode()).isEqualTo("none");
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getCapAdd()).isNullOrEmpty();
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getReadonlyRootfs()).isTrue();
    assertThat(host.getPidsLimit()).isEqualTo(512L);
    assertThat(host.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(host.getBinds()).as("nothing of the host is mounted").isNullOrEmpty();
    assertThat(host.getMemory()).isEqualTo(1024L * 1024 * 1024);
    assertThat(host.getMemorySwap()).as("no swap beyond the limit").isEqualTo(host.getMemory());
    assertThat(host.getNanoCPUs()).isEqualTo(1_500_000_000L);
    assertThat(host.getDeviceRequests()).isNullOrEmpty();
    LogConfig log = host.getLogConfig();
    assertThat(log.getType()).isEqualTo(LogConfig.LoggingType.JSON_FILE);
    assertThat(log.getConfig())
        .containsEntry("max-size", Long.toString(8L << 20))
        .containsEntry("max-file", "2");
  }

  @Test
  void tmpAndHomeAreATmpfsAsLargeAsTheMemoryLimitAndTheFilesAVolumeOfItsOwn() {
    Task task = aTask().settings(ONE_GB).build();
    ContainerSpec spec = specOf(task, ContainerConfinement.defaults());
    HostConfig host = spec.hostConfig();

    assertThat(host.getTmpFs())
        .containsOnlyKeys("/tmp")
        .containsEntry("/tmp", "rw,nosuid,nodev,mode=1777,size=" + (1024L * 1024 * 1024));
    assertThat(spec.env()).contains("HOME=/tmp");
    assertThat(host.getMounts()).hasSize(1);
    assertThat(host.getMounts().get(0).getType()).isEqualTo(MountType.VOLUME);
    assertThat(host.getMounts().get(0).getTarget()).isEqualTo(ContainerSpec.FILES_DIR);
    assertThat(host.getMounts().get(0).getSource())
        .as("anonymous: removed with the container")
        .isNull();
    assertThat(spec.env())
        .contains("BATCH_EXECUTOR_OUTPUT_DIR=" + ContainerSpec.FILES_DIR + "/out");
    assertThat(TaskInputs.CONTAINER_DIR).startsWith(ContainerSpec.FILES_DIR + "/");
  }

  @Test
  void aSmallStagedPayloadTravelsInTheEnvironmentALargeOneInTheVolume() {
    Task smallTask = staged("x");
    Task largeTask = staged("x".repeat(LaunchSpecification.INLINE_PAYLOAD_LIMIT));
    List<String> small = specOf(smallTask, ContainerConfinement.defaults()).env();
    List<String> large = specOf(largeTask, ContainerConfinement.defaults()).env();
    LaunchSpecification launch =
        new LaunchSpecification(null, JSON, ContainerConfinement.defaults());

    assertThat(launch.files(smallTask)).isEmpty();
    assertThat(launch.files(largeTask)).containsOnlyKeys("payload.json");
    assertThat(new String(launch.files(largeTask).get("payload.json")))
        .contains("x".repeat(LaunchSpecification.INLINE_PAYLOAD_LIMIT));

    assertThat(small)
        .anyMatch(e -> e.startsWith("BATCH_EXECUTOR_PAYLOAD_JSON={"))
        .noneMatch(e -> e.startsWith("BATCH_EXECUTOR_PAYLOAD="));
    assertThat(large)
        .contains("BATCH_EXECUTOR_PAYLOAD=" + ContainerSpec.FILES_DIR + "/payload.json")
        .noneMatch(e -> e.startsWith("BATCH_EXECUTOR_PAYLOAD_JSON="));
  }

  private static Task staged(String argument) {
    return Task.accept(
        UUID.randomUUID(),
        "tester",
        "staged",
        new TaskSpec(
            new TaskSpec.FunctionSpec("def task(x):\n    return x\n", "task"),
            JSON.valueToTree(List.of(argument)),
            JSON.createObjectNode(),
            new TaskSpec.ImageSpec("python:3.11-slim", List.of(), "staged")),
        ONE_GB,
        "local",
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void theEnvironmentCarriesNothingButTheTasksOwn() {
    Task task = aTask().settings(ONE_GB).build();
    List<String> env = specOf(task, ContainerConfinement.defaults()).env();

    assertThat(env)
        .extracting(e -> e.substring(0, e.indexOf('=')))
        .containsExactlyInAnyOrder(
            "BATCH_EXECUTOR_TASK_ID",
            "BATCH_EXECUTOR_ATTEMPT",
            "BATCH_EXECUTOR_OUTPUT_DIR",
            "BATCH_EXECUTOR_MAX_LOG_SIZE",
            "BATCH_EXECUTOR_INPUTS",
            "BATCH_EXECUTOR_PAYLOAD_SHA256",
            "HOME",
            "USER",
            "LOGNAME");
    assertThat(env)
        .as("the bound of the stdout and stderr the runner keeps apart: max-log-size")
        .contains("BATCH_EXECUTOR_MAX_LOG_SIZE=" + (16L << 20));
  }

  @Test
  void aSweepRunIsLabelledAndToldItsIndex() {
    Task task = aTask().settings(ONE_GB).sweep(Map.of("x", List.of(1, 2))).build();
    ContainerSpec spec =
        new LaunchSpecification(null, JSON, ContainerConfinement.defaults()).spec(task, 1, 1, 1.0);

    assertThat(spec.name()).endsWith("-1-s1");
    assertThat(spec.labels()).containsEntry(LaunchSpecification.SWEEP_INDEX_LABEL, "1");
    assertThat(spec.env()).contains("BATCH_EXECUTOR_SWEEP_INDEX=1");
    assertThat(spec.hostConfig().getNetworkMode()).isEqualTo("none");
  }

  @Test
  void gpusAreAskedForAsDeviceRequests() {
    Task task =
        aTask()
            .settings(
                new TaskSettings(
                    null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 1.0, 1.0, 2, 3,
                    300, 10, null, null, null))
            .build();
    HostConfig host = specOf(task, ContainerConfinement.defaults()).hostConfig();

    assertThat(host.getDeviceRequests()).hasSize(1);
    assertThat(host.getDeviceRequests().get(0).getCount()).isEqualTo(2);
    assertThat(host.getDeviceRequests().get(0).getCapabilities())
        .isEqualTo(List.of(List.of("gpu")));
  }

  @Test
  void eachRelaxationReachesTheContainerOnlyWhenTheOperatorSetsIt() {
    ContainerConfinement relaxed =
        new ContainerConfinement(
            0,
            0,
            TaskNetwork.HOST,
            "batch-executor-tasks",
            false,
            false,
            List.of(Capability.SYS_PTRACE),
            0,
            4L << 20,
            ContainerConfinement.defaults().maxResult());
    HostConfig host = created(specOf(aTask().settings(ONE_GB).build(), relaxed)).getHostConfig();

    assertThat(host.getNetworkMode()).isEqualTo("host");
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getCapAdd()).containsExactly(Capability.SYS_PTRACE);
    assertThat(host.getSecurityOpts()).isNullOrEmpty();
    assertThat(host.getReadonlyRootfs()).isFalse();
    assertThat(host.getPidsLimit()).isNull();
    assertThat(host.getLogConfig().getConfig()).containsEntry("max-size", Long.toString(2L << 20));
  }

  @Test
  void onABridgeTheContainerJoinsTheServicesNetwork() {
    ContainerConfinement bridge =
        new ContainerConfinement(
            10001,
            10001,
            TaskNetwork.BRIDGE,
            "tasks-net",
            true,
            true,
            List.of(),
            512,
            16L << 20,
            ContainerConfinement.defaults().maxResult());

    assertThat(
            created(specOf(aTask().settings(ONE_GB).build(), bridge))
                .getHostConfig()
                .getNetworkMode())
        .isEqualTo("tasks-net");
  }

  @Test
  void theFilesCopiedInAreOwnedByTheContainersUserWithTheOutputDirectory() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("payload.json", "{}".getBytes());
    files.put("inputs/a/result.json", "{\"ok\":true}".getBytes());

    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new ByteArrayInputStream(ContainerFiles.tar(files, 10001, 10002)))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.add(e);
      }
    }

    assertThat(entries)
        .extracting(TarArchiveEntry::getName)
        .containsExactly("inputs/", "inputs/a/", "out/", "payload.json", "inputs/a/result.json");
    assertThat(entries).allSatisfy(e -> assertThat(e.getLongUserId()).isEqualTo(10001));
    assertThat(entries).allSatisfy(e -> assertThat(e.getLongGroupId()).isEqualTo(10002));
    assertThat(ContainerFiles.OUTPUT).isEqualTo("out");
    assertThat(ContainerVolume.relative(ContainerSpec.OUTPUT_DIR)).isEqualTo("out");
  }
}
