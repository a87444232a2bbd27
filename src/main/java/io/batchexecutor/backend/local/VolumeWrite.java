package io.batchexecutor.backend.local;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One write into a container's volume on the host, walked from the opened volume directory one name
 * at a time ({@code openat}-like, through {@link SecureDirectoryStream}): a directory once opened
 * is used through its handle, never found again by its path, and no name on the way is followed
 * when it is a link. A directory that is missing is made in the volume's own directory under a
 * fresh name and moved into place from handle to handle. Where the platform gives no such handles
 * the write is refused and the engine's copy does it.
 */
final class VolumeWrite implements Closeable {

  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<OpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);

  private final Path root;
  private final UserPrincipal user;
  private final GroupPrincipal group;
  private final List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
  private final Map<String, SecureDirectoryStream<Path>> directories = new HashMap<>();

  private VolumeWrite(Path root, long uid, long gid) throws IOException {
    this.root = root;
    UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
    // a number that names no user or group stands for that id
    this.user = users.lookupPrincipalByName(Long.toString(uid));
    this.group = users.lookupPrincipalByGroupName(Long.toString(gid));
  }

  /**
   * Writes {@code files} (paths relative to {@code root}) and {@code dirs} (parents before their
   * children) owned by {@code uid:gid}; throws when anything in the way is not a plain directory or
   * file or the platform gives no directory handles.
   */
  static void put(Path root, Iterable<String> dirs, Map<String, byte[]> files, long uid, long gid)
      throws IOException {
    try (VolumeWrite write = new VolumeWrite(root, uid, gid)) {
      DirectoryStream<Path> top = Files.newDirectoryStream(root);
      if (!(top instanceof SecureDirectoryStream<Path> secure)) {
        top.close();
        throw new IOException("no directory handles on this platform");
      }
      write.opened.add(secure);
      write.directories.put("", secure);
      for (String directory : dirs) {
        write.directory(directory);
      }
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        write.file(file.getKey(), file.getValue());
      }
    }
  }

  /** The directory {@code path} (relative to the root), opened (made if missing) and owned. */
  private SecureDirectoryStream<Path> directory(String path) throws IOException {
    SecureDirectoryStream<Path> known = directories.get(path);
    if (known != null) {
      return known;
    }
    int slash = path.lastIndexOf('/');
    SecureDirectoryStream<Path> parent = directory(slash < 0 ? "" : path.substring(0, slash));
    Path name = Path.of(path.substring(slash + 1));
    BasicFileAttributes existing = attributes(parent, name);
    if (existing == null) {
      made(parent, name);
    } else if (!existing.isDirectory()) {
      throw new IOException(path + " is not a directory");
    }
    SecureDirectoryStream<Path> directory =
        parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
    opened.add(directory);
    directories.put(path, directory);
    own(directory.getFileAttributeView(PosixFileAttributeView.class), DIRECTORY);
    return directory;
  }

  /** Makes the directory {@code name} in {@code parent}: in the root, then moved there. */
  private void made(SecureDirectoryStream<Path> parent, Path name) throws IOException {
    Path fresh = Path.of(".batch-executor-" + UUID.randomUUID());
    Files.createDirectory(root.resolve(fresh)); // one new name in the host's own directory
    try {
      directories.get("").move(fresh, parent, name);
    } catch (IOException e) {
      try {
        directories.get("").deleteDirectory(fresh);
      } catch (IOException ignored) {
        // left empty in the volume, removed with it
      }
      throw e;
    }
  }

  /** Writes the file {@code path} afresh: whatever plain file was there is removed first. */
  private void file(String path, byte[] content) throws IOException {
    int slash = path.lastIndexOf('/');
    SecureDirectoryStream<Path> parent = directory(slash < 0 ? "" : path.substring(0, slash));
    Path name = Path.of(path.substring(slash + 1));
    BasicFileAttributes existing = attributes(parent, name);
    if (existing != null) {
      if (!existing.isRegularFile()) {
        throw new IOException(path + " is not a plain file");
      }
      parent.deleteFile(name);
    }
    try (SeekableByteChannel out = parent.newByteChannel(name, CREATE_NEW)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    }
    own(
        parent.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS),
        FILE);
  }

  /** What {@code name} in {@code directory} is, not following a link; null when missing. */
  private static BasicFileAttributes attributes(SecureDirectoryStream<Path> directory, Path name)
      throws IOException {
    try {
      return directory
          .getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void own(PosixFileAttributeView view, Set<PosixFilePermission> mode) throws IOException {
    view.setOwner(user);
    view.setGroup(group);
    view.setPermissions(mode);
  }

  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (SecureDirectoryStream<Path> directory : opened) {
      try {
        directory.close();
      } catch (IOException e) {
        failed = e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
