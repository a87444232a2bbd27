package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A stopped container's output directory read where the engine keeps it: the container's own volume
 * (a {@code local} volume, made for this container alone and removed with it) is a directory on the
 * engine's host, which the service reads directly when it runs on that host with the right to read
 * it (as root, beside the engine). That spares the engine's copy out of the container, which mounts
 * the container's filesystem to make an archive of one small file and is most of the time between a
 * task's exit and its recorded end. Where the directory is not there to read (an engine on another
 * host or in a VM, the service in a container or not allowed into the engine's directory), the
 * output is copied out as before.
 *
 * <p>The container has ended when its output is read, so nothing in it changes meanwhile. Only the
 * runner's regular files directly in the output directory are taken (any other file is left
 * unread), never a symbolic link (which the task could point at any file of the host) nor anything
 * in a subdirectory; each is sized before it is read and read no further than the bound.
 */
final class OutputOnHost {

  private OutputOnHost() {}

  /**
   * The output directory {@code directory} (a path in the container) on the engine's host, when it
   * is in the container's own local volume and this process can read it there.
   */
  static Optional<Path> of(InspectContainerResponse container, String directory) {
    return ContainerVolume.onHost(container).flatMap(v -> v.readableDirectory(directory));
  }

  /**
   * The regular files directly in {@code output} named in {@code names}, by name (any other file
   * the task left there is never read); {@code sized} is told each one's name and size before it is
   * read (and may refuse it by throwing), and none is read past {@code maxBytes}.
   */
  static Map<String, byte[]> read(
      Path output,
      Set<String> names,
      long maxBytes,
      Set<String> optional,
      BiConsumer<String, Long> sized) {
    Map<String, byte[]> files = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(output)) {
      for (Path entry : entries) {
        if (!names.contains(entry.getFileName().toString())) {
          continue; // not one of the runner's files: the task's own, left unread
        }
        BasicFileAttributes attributes =
            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
          continue;
        }
        String name = entry.getFileName().toString();
        if (optional.contains(name) && attributes.size() > maxBytes) {
          continue; // a file the service can do without: left out rather than failing the task
        }
        sized.accept(name, attributes.size());
        files.put(name, readAtMost(entry, maxBytes, sized));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the task's output in " + output, e);
    }
    return files;
  }

  private static byte[] readAtMost(Path file, long maxBytes, BiConsumer<String, Long> sized)
      throws IOException {
    try (SeekableByteChannel in =
        Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      long size = in.size();
      sized.accept(file.getFileName().toString(), size);
      ByteBuffer bytes =
          ByteBuffer.allocate((int) Math.min(size, Math.min(maxBytes, Integer.MAX_VALUE - 8)));
      while (bytes.hasRemaining() && in.read(bytes) >= 0) {
        // until the file's end or the buffer is full
      }
      byte[] read = new byte[bytes.position()];
      bytes.flip().get(read);
      return read;
    }
  }
}
