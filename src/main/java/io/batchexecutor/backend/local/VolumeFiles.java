package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a created task container's own volume gets before its start, owned by the container's user:
 * the empty output directory and the files the runner reads beside the image ({@link
 * LaunchSpecification#files}). Written into the volume's directory on the engine's host where the
 * service can ({@link ContainerVolume}), else copied in by the engine.
 */
final class VolumeFiles {

  private static final Logger log = LoggerFactory.getLogger(VolumeFiles.class);

  private final DockerClient docker;
  private final EngineFacts engine;
  private final ContainerConfinement confinement;

  /**
   * Whether the service could see the engine's volumes on this host: unknown until a start tried,
   * false once a container's volume was not there (the engine on another host or in a VM, the
   * service in a container): its containers then get their files by the engine's copy only.
   */
  private volatile boolean volumesOnHost = true;

  VolumeFiles(DockerClient docker, EngineFacts engine, ContainerConfinement confinement) {
    this.docker = docker;
    this.engine = engine;
    this.confinement = confinement;
  }

  /**
   * Puts {@code files} and the empty output directory into the volume of {@code created} (as
   * inspected), a container that never started.
   */
  void put(String containerId, InspectContainerResponse created, Map<String, byte[]> files) {
    if (!writtenOnHost(created, files)) {
      byte[] archive = ContainerFiles.tar(files, confinement.uid(), confinement.gid());
      LocalContainers.call(
          () ->
              docker
                  .copyArchiveToContainerCmd(containerId)
                  .withTarInputStream(new ByteArrayInputStream(archive))
                  .withRemotePath(ContainerSpec.FILES_DIR)
                  .exec());
    }
  }

  /**
   * Writes {@code files} into the volume of {@code created}, a container that never started, on the
   * engine's host, when it can: nothing in the container runs that could change the volume.
   */
  private boolean writtenOnHost(InspectContainerResponse created, Map<String, byte[]> files) {
    if (!volumesOnHost || engine.remapsUsers()) {
      return false; // with user namespaces, the container's owners are not the host's
    }
    Optional<ContainerVolume> volume = ContainerVolume.onHost(created);
    if (volume.isEmpty()) {
      volumesOnHost = false;
      log.info("The engine's volumes are not on this host: task files are copied in by the engine");
      return false;
    }
    return volume.get().put(files, confinement.uid(), confinement.gid());
  }
}
