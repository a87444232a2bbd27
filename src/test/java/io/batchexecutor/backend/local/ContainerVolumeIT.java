package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.support.DockerAvailable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a task container finds in its own volume before it starts, written where the engine keeps
 * the volume on its host instead of copied in through the engine: the same files, owned by the
 * container's user, which the confined container reads and writes its output beside; never through
 * a symbolic link an image put in the volume, in its place or in a parent directory's; and only
 * into a container that never started, which is never started again once it ran.
 */
class ContainerVolumeIT {

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
  void theFilesAreWrittenOnTheHostOwnedByTheTaskUserAndTheContainerUsesThem() throws Exception {
    ContainerVolume volume =
        created(
            "cat ../payload.json ../inputs/a/result.json > result.json && id -u > result.pickle");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("payload.json", "{\"p\": 1}".getBytes(StandardCharsets.UTF_8));
    files.put("inputs/a/result.json", "{\"r\": 2}".getBytes(StandardCharsets.UTF_8));

    assertThat(volume.put(files, 10001, 10002)).isTrue();

    for (String path : List.of("out", "inputs", "inputs/a", "payload.json")) {
      Path p = volume.root().resolve(path);
      assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(10001);
      assertThat(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(10002);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--");
    }
    docker.startContainerCmd(container).exec();
    assertThat(docker.waitContainerCmd(container).start().awaitStatusCode()).isZero();
    Map<String, byte[]> outputs =
        new ContainerOutput(docker, new ResultSizeLimit(1 << 20, "max-result-size"))
            .outputs(docker.inspectContainerCmd(container).exec());
    assertThat(new String(outputs.get("result.json"), StandardCharsets.UTF_8))
        .isEqualTo("{\"p\": 1}{\"r\": 2}");
    assertThat(new String(outputs.get("result.pickle"), StandardCharsets.UTF_8).trim())
        .as("the container's user, who could write in the output directory")
        .isEqualTo("10001");
  }

  @Test
  void aLinkInTheVolumeIsNeverFollowed() throws Exception {
    ContainerVolume volume = created("true");
    Path hostDirectory = Files.createTempDirectory("host-only-");
    Path hostFile = Files.createTempFile("host-only-", ".json");
    try {
      Files.writeString(hostFile, "of the host");
      Files.createSymbolicLink(volume.root().resolve("out"), hostDirectory);
      assertThat(volume.put(Map.of(), 10001, 10001)).as("out is a link").isFalse();
      assertThat(Files.getAttribute(hostDirectory, "unix:uid")).isEqualTo(0);
      assertThat(hostDirectory).isEmptyDirectory();

      Files.delete(volume.root().resolve("out"));
      Files.createSymbolicLink(volume.root().resolve("payload.json"), hostFile);
      assertThat(volume.put(Map.of("payload.json", new byte[] {'x'}), 10001, 10001))
          .as("payload.json is a link")
          .isFalse();
      assertThat(Files.readString(hostFile)).isEqualTo("of the host");
      assertThat(Files.getAttribute(hostFile, "unix:uid")).isEqualTo(0);
    } finally {
      Files.deleteIfExists(hostFile);
      Files.deleteIfExists(hostDirectory);
    }
  }

  @Test
  void aLinkInAParentDirectoryIsNeverFollowed() throws Exception {
    ContainerVolume volume = created("true");
    Path hostDirectory = Files.createTempDirectory("host-only-");
    try {
      Files.createSymbolicLink(volume.root().resolve("inputs"), hostDirectory);
      assertThat(
              volume.put(
                  Map.of("inputs/a/result.json", new byte[] {'x'}, "payload.json", new byte[0]),
                  10001,
                  10001))
          .as("inputs is a link")
          .isFalse();
      assertThat(hostDirectory).isEmptyDirectory();
      assertThat(Files.getAttribute(hostDirectory, "unix:uid")).isEqualTo(0);
      assertThat(Files.readSymbolicLink(volume.root().resolve("inputs"))).isEqualTo(hostDirectory);
    } finally {
      Files.deleteIfExists(volume.root().resolve("inputs"));
      Files.deleteIfExists(hostDirectory);
    }
  }

  @Test
  void aContainerThatStartedGetsNoHostWriteAndIsNeverStartedAgain() throws Exception {
    ContainerVolume volume = created("true");
    assertThat(ContainerLauncher.neverStarted(docker.inspectContainerCmd(container).exec()))
        .isTrue();
    assertThat(volume.put(Map.of(), 10001, 10001)).isTrue();
    docker.startContainerCmd(container).exec();
    assertThat(docker.waitContainerCmd(container).start().awaitStatusCode()).isZero();
    InspectContainerResponse ended = docker.inspectContainerCmd(container).exec();
    LocalContainers containers =
        new LocalContainers(docker, null, null, ContainerConfinement.defaults());

    assertThat(ContainerLauncher.neverStarted(ended)).isFalse();
    // a task is not even looked at: nothing is written and nothing started
    assertThat(containers.startIfNeverStarted(null, container)).isFalse();
    assertThat(new ContainerLauncher(containers).startIfCreated(null, ended))
        .hasValueSatisfying(
            same -> assertThat(same.getState().getStartedAt()).isEqualTo(startedAt(ended)));

    InspectContainerResponse after = docker.inspectContainerCmd(container).exec();
    assertThat(after.getState().getStatus()).isEqualTo("exited");
    assertThat(after.getState().getStartedAt())
        .as("never started again")
        .isEqualTo(startedAt(ended));
    try (var names = Files.list(volume.root())) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactly("out");
    }
  }

  private static String startedAt(InspectContainerResponse container) {
    return container.getState().getStartedAt();
  }

  /** A container made as the service makes task containers, not started; its volume on the host. */
  private ContainerVolume created(String script) {
    ContainerSpec spec =
        ContainerSpec.of(
            ContainerConfinement.defaults(),
            DockerAvailable.BASE_IMAGE,
            "container-volume-" + System.nanoTime(),
            Map.of(),
            List.of(),
            256,
            1,
            0);
    // in the output directory, by its path: the engine makes a working directory it lacks
    container =
        spec.applyTo(docker.createContainerCmd(DockerAvailable.BASE_IMAGE))
            .withCmd("sh", "-c", "cd " + ContainerSpec.OUTPUT_DIR + " && " + script)
            .exec()
            .getId();
    InspectContainerResponse inspected = docker.inspectContainerCmd(container).exec();
    return ContainerVolume.onHost(inspected)
        .orElseThrow(() -> new AssertionError("the volume is not on this host: " + inspected));
  }
}
