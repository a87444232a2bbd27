package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.runner.RunnerContract;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
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

  /**
   * Whether the engine gives a new container's volume the mode of the image's directory: unknown
   * until the first container created without files is looked at.
   */
  private final AtomicReference<Boolean> opensNewVolumes = new AtomicReference<>();

  VolumeFiles(DockerClient docker, EngineFacts engine, ContainerConfinement confinement) {
    this.docker = docker;
    this.engine = engine;
    this.confinement = confinement;
  }

  /**
   * Whether a new container of this engine finds its volume open to its user without anything
   * written into it: Docker's local volumes are, as a new volume gets the content and mode of the
   * image's directory (root's, open to all: {@link RunnerContract#VOLUME_DIR}), so the runner makes
   * its output directory itself. Asked once, of {@code containerId}, the first container created
   * that needs no files, by reading the directory's entry back through the engine; an engine that
   * answers otherwise (another volume driver, a copy turned off) has the output directory of every
   * container written before its start, and the log says so once.
   */
  boolean opensNewVolumes(String containerId) {
    Boolean known = opensNewVolumes.get();
    if (known != null) {
      return known;
    }
    int mode;
    try {
      mode = modeOf(containerId);
    } catch (RuntimeException e) {
      // the container gone, the engine away or its answer cut short: no answer yet; this container
      // gets its directory written, and the next one asks again
      log.debug("Could not read the volume directory of {} back: {}", containerId, e.getMessage());
      return false;
    }
    boolean open = (mode & 07) == 07;
    if (opensNewVolumes.compareAndSet(null, open) && !open) {
      log.warn(
          "A new container's volume on this engine is not open to its user (mode {}): every"
              + " task container gets its output directory written before its start",
          Integer.toOctalString(mode & 07777));
    }
    return opensNewVolumes.get();
  }

  /**
   * The mode of the volume's directory in {@code containerId}, as the engine archives it; 0 when
   * the engine's archive has no directory there.
   */
  int modeOf(String containerId) {
    try (InputStream in =
            LocalContainers.call(
                () ->
                    docker
                        .copyArchiveFromContainerCmd(containerId, ContainerSpec.FILES_DIR)
                        .exec());
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry = tar.getNextEntry();
      return entry == null || !entry.isDirectory() ? 0 : entry.getMode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
