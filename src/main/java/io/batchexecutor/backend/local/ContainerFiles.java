package io.batchexecutor.backend.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * What is copied into a task container's own volume before it starts, as the tar stream the
 * engine's copy call takes: the given files and the empty output directory, every entry owned by
 * the container's user, so that a task that is not root (on a read-only root filesystem) reads its
 * payload and inputs and writes its outputs there.
 */
final class ContainerFiles {

  /** The output directory, relative to the volume. */
  static final String OUTPUT = ContainerVolume.relative(ContainerSpec.OUTPUT_DIR);

  private ContainerFiles() {}

  /**
   * {@code files} (paths relative to the volume, to their content) with their directories and the
   * output directory, owned by {@code uid:gid}; files readable by all, directories open to all for
   * reading.
   */
  static byte[] tar(Map<String, byte[]> files, long uid, long gid) {
    SortedSet<String> directories = directories(files.keySet());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (String directory : directories) { // sorted: a parent before its children
        TarArchiveEntry entry = new TarArchiveEntry(directory + "/");
        entry.setMode(040755);
        own(entry, uid, gid);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0100644);
        own(entry, uid, gid);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The directories {@code paths} (relative to the volume) are in, and the output directory,
   * sorted: a parent before its children.
   */
  static SortedSet<String> directories(Collection<String> paths) {
    TreeSet<String> directories = new TreeSet<>();
    directories.add(OUTPUT);
    for (String path : paths) {
      for (int at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
        directories.add(path.substring(0, at));
      }
    }
    return directories;
  }

  private static void own(TarArchiveEntry entry, long uid, long gid) {
    entry.setUserId(uid);
    entry.setGroupId(gid);
  }
}
