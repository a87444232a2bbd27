package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A task container's own volume ({@link ContainerSpec#FILES_DIR} in the container: a {@code local}
 * volume the engine made for this container alone and removes with it) where the engine keeps it on
 * its host: read and written there directly when the service runs beside the engine with the right
 * to (as root), instead of through the engine's copy calls, which mount the container's filesystem
 * for each copy.
 *
 * <p>Nothing in it is ever followed: a symbolic link found where a directory or file is expected
 * (an image can bring one: the engine copies what the image has under the mount point into a new
 * volume) stops the write, and the caller falls back to the engine's copy, which resolves every
 * path inside the container.
 *
 * @param root the volume's directory on the engine's host
 */
record ContainerVolume(Path root) {

  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");

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
   * the same over it.
   */
  boolean put(Map<String, byte[]> files, long uid, long gid) {
    try {
      for (String directory : ContainerFiles.directories(files.keySet())) {
        directory(root.resolve(directory), uid, gid);
      }
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        file(root.resolve(file.getKey()), file.getValue(), uid, gid);
      }
      return true;
    } catch (IOException
        | UnsupportedOperationException
        | SecurityException
        | ArithmeticException e) {
      return false;
    }
  }

  private static void directory(Path path, long uid, long gid) throws IOException {
    try {
      Files.createDirectory(path);
    } catch (FileAlreadyExistsException e) {
      if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .isDirectory()) {
        throw new IOException(path + " is not a directory");
      }
    }
    own(path, DIRECTORY, uid, gid);
  }

  private static void file(Path path, byte[] content, long uid, long gid) throws IOException {
    try (SeekableByteChannel out =
        Files.newByteChannel(
            path,
            Set.of(
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS))) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    }
    own(path, FILE, uid, gid);
  }

  /** Sets the owner and mode of {@code path}, never of what a link there would point to. */
  private static void own(Path path, Set<PosixFilePermission> mode, long uid, long gid)
      throws IOException {
    Files.setAttribute(path, "unix:uid", Math.toIntExact(uid), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", Math.toIntExact(gid), LinkOption.NOFOLLOW_LINKS);
    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(mode);
  }
}
