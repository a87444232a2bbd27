package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A task container's own volume ({@link ContainerSpec#FILES_DIR} in the container: a {@code local}
 * volume the engine made for this container alone and removes with it) where the engine keeps it on
 * its host: read and written there directly when the service runs beside the engine with the right
 * to (as root), instead of through the engine's copy calls, which mount the container's filesystem
 * for each copy.
 *
 * <p>It is written only before the container ever started, and nothing in it is ever followed: a
 * symbolic link found where a directory or file is expected (an image can bring one: the engine
 * copies what the image has under the mount point into a new volume) stops the write, and the
 * caller falls back to the engine's copy, which resolves every path inside the container.
 *
 * @param root the volume's directory on the engine's host
 */
record ContainerVolume(Path root) {

  /** {@code path}, a path in the container's volume, relative to the volume. */
  static String relative(String path) {
    if (!path.startsWith(ContainerSpec.FILES_DIR + "/")) {
      throw new IllegalArgumentException(path + " is not in " + ContainerSpec.FILES_DIR);
    }
    return path.substring(ContainerSpec.FILES_DIR.length() + 1);
  }

  /**
   * The volume of {@code container} (as inspected) on the engine's host, when it is a {@code local}
   * volume whose directory this process sees there.
   */
  static Optional<ContainerVolume> onHost(InspectContainerResponse container) {
    List<InspectContainerResponse.Mount> mounts = container.getMounts();
    if (mounts == null) {
      return Optional.empty();
    }
    for (InspectContainerResponse.Mount mount : mounts) {
      if (mount.getDestination() == null
          || !ContainerSpec.FILES_DIR.equals(mount.getDestination().getPath())
          || mount.getSource() == null
          || mount.getSource().isEmpty()
          || !"local".equals(mount.getDriver())) {
        continue;
      }
      Path root = Path.of(mount.getSource());
      if (root.isAbsolute() && Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(new ContainerVolume(root));
      }
    }
    return Optional.empty();
  }

  /**
   * The directory {@code directory} (a path in the container) of this volume on the host, when it
   * is a directory (not a link) this process can read.
   */
  Optional<Path> readableDirectory(String directory) {
    if (!directory.startsWith(ContainerSpec.FILES_DIR + "/")) {
      return Optional.empty();
    }
    Path path = root.resolve(relative(directory));
    return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(path)
        ? Optional.of(path)
        : Optional.empty();
  }

  /**
   * Writes into the volume of a container that has not run yet what {@link ContainerFiles#tar}
   * would copy: {@code files} (paths relative to the volume) with their directories and the empty
   * output directory, owned by {@code uid:gid}, files readable by all, directories open to all for
   * reading. Answers false, having written part of it or nothing, when this process may not write
   * there or something in the way is not a plain directory or file; the engine's copy then writes
   * the same over it. Every name is found from the directory handle opened before it, never by
   * resolving a path again ({@link VolumeWrite}).
   */
  boolean put(Map<String, byte[]> files, long uid, long gid) {
    try {
      VolumeWrite.put(root, ContainerFiles.directories(files.keySet()), files, uid, gid);
      return true;
    } catch (IOException
        | UnsupportedOperationException
        | SecurityException
        | ClassCastException e) {
      return false;
    }
  }
}
