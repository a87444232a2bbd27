package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stopped task container's output read on the engine's host, from its own volume: the regular
 * files the task left, the same as the engine's copy out of the container gives; never what a
 * symbolic link the task made points at on the host, nor a file in a subdirectory, nor a {@code
 * file-<i>} that no transfer of the task keeps; a file over the bound refused before it is read.
 */
class OutputOnHostIT {

  private final DockerClient docker = DockerAvailable.client();
  private String container;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
  }

  @AfterEach
  void remove() {
    if (container != null) {
      docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec();
    }
  }

  @Test
  void theRegularFilesTheTaskLeftAreReadWhereTheEngineKeepsThem() throws Exception {
    Path secret = Files.createTempFile("host-only-", ".txt");
    Files.writeString(secret, "of the host");
    try {
      InspectContainerResponse ended =
          run(
              "echo -n '{\"ok\": true}' > result.json && printf 'pickled' > result.pickle"
                  + " && ln -s "
                  + secret
                  + " leak.json && mkdir sub && echo nested > sub/result.json");

      String output = ContainerSpec.OUTPUT_DIR;
      assertThat(OutputOnHost.of(ended, output))
          .as("the service runs beside the engine, allowed into its directory")
          .isPresent();
      ContainerOutput outputs =
          new ContainerOutput(docker, new ResultSizeLimit(1 << 20, "max-result-size"));
      Map<String, byte[]> files = outputs.outputs(ended);
      assertThat(files).containsOnlyKeys("result.json", "result.pickle");
      assertThat(new String(files.get("result.json"), StandardCharsets.UTF_8))
          .isEqualTo("{\"ok\": true}");
      assertThat(new String(files.get("result.pickle"), StandardCharsets.UTF_8))
          .isEqualTo("pickled");

      ContainerOutput small = new ContainerOutput(docker, new ResultSizeLimit(4, "max-size"));
      assertThatThrownBy(() -> small.outputs(ended))
          .isInstanceOf(ContainerOutput.ResultTooLargeException.class)
          .hasMessageContaining("max-size");
    } finally {
      Files.delete(secret);
    }
  }

  @Test
  void otherFilesTheTaskLeftAreNeverReadOnEitherWay() throws Exception {
    InspectContainerResponse ended =
        run(
            "echo -n '{\"ok\": true}' > result.json"
                + " && head -c 4096 /dev/zero > a.bin && head -c 4096 /dev/zero > b.bin");
    // a bound below the task's own files: reading either of them would fail the task
    ContainerOutput outputs = new ContainerOutput(docker, new ResultSizeLimit(1024, "max-size"));

    assertThat(OutputOnHost.of(ended, ContainerSpec.OUTPUT_DIR)).isPresent();
    assertThat(outputs.outputs(ended)).containsOnlyKeys("result.json");
    assertThat(
            outputs.copied(ended.getId(), ContainerSpec.OUTPUT_DIR, ContainerOutput.RUNNER_FILES))
        .as("copied out of the container by the engine")
        .containsOnlyKeys("result.json");
  }

  @Test
  void onlyTheFilesTheTasksFilesKeepAreTakenBesideTheRunnersOwn() throws Exception {
    Task task =
        task(
            List.of(
                new FileTransfer("/tmp/a.csv", FileTransfer.AFTER, null, null),
                new FileTransfer("/tmp/in.csv", null, UPLOAD, null),
                new FileTransfer("/tmp/c.csv", FileTransfer.AFTER, null, null)));
    InspectContainerResponse ended =
        run(
            "echo -n '{\"ok\": true}' > result.json"
                + " && echo a > file-0 && echo b > file-1 && echo d > file-3");
    ContainerOutput outputs =
        new ContainerOutput(docker, new ResultSizeLimit(1 << 20, "max-result-size"));

    assertThat(ContainerOutput.taken(task))
        .containsExactlyInAnyOrder(
            "result.json", "result.pickle", "stdout.txt", "stderr.txt", "file-0", "file-2");
    assertThat(ContainerOutput.taken(task(null))).isEqualTo(ContainerOutput.RUNNER_FILES);
    assertThat(OutputOnHost.of(ended, ContainerSpec.OUTPUT_DIR)).isPresent();
    assertThat(outputs.outputs(ended, ContainerOutput.taken(task)))
        .containsOnlyKeys("result.json", "file-0");
    assertThat(outputs.outputs(ended)).containsOnlyKeys("result.json");
    assertThat(outputs.copied(ended.getId(), ContainerSpec.OUTPUT_DIR, ContainerOutput.taken(task)))
        .as("copied out of the container by the engine")
        .containsOnlyKeys("result.json", "file-0");
  }

  private static final String UPLOAD =
      "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

  private static Task task(List<FileTransfer> files) {
    JsonMapper json = JsonMapper.builder().build();
    return Task.accept(
        UUID.randomUUID(),
        "tester",
        "test",
        new TaskSpec(
                new TaskSpec.FunctionSpec("def task():\n    return 1\n", "task"),
                json.createArrayNode(),
                json.createObjectNode(),
                null,
                null)
            .withFiles(files),
        new TaskSettings(
            null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3, 300,
            10, null, null, null),
        "local",
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Runs {@code script} in the output directory of a container made as the service makes task
   * containers (its own volume, the output directory copied in owned by its user, that user, a
   * read-only root, no network) and answers it inspected after its end.
   */
  private InspectContainerResponse run(String script) throws Exception {
    ContainerSpec spec =
        ContainerSpec.of(
            ContainerConfinement.defaults(),
            DockerAvailable.BASE_IMAGE,
            "output-on-host-" + System.nanoTime(),
            Map.of(),
            List.of(),
            256,
            1,
            0);
    container =
        spec.applyTo(docker.createContainerCmd(DockerAvailable.BASE_IMAGE))
            .withWorkingDir(ContainerSpec.OUTPUT_DIR)
            .withCmd("sh", "-c", script)
            .exec()
            .getId();
    byte[] tar = ContainerFiles.tar(Map.of(), 10001, 10001);
    docker
        .copyArchiveToContainerCmd(container)
        .withTarInputStream(new ByteArrayInputStream(tar))
        .withRemotePath(ContainerSpec.FILES_DIR)
        .exec();
    docker.startContainerCmd(container).exec();
    int exit = docker.waitContainerCmd(container).start().awaitStatusCode();
    assertThat(exit).as("the script's exit").isZero();
    return docker.inspectContainerCmd(container).exec();
  }
}
