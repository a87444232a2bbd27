package io.batchexecutor.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/** Objects as files under a root directory ({@code <cache_dir>/objects}); buckets are ignored. */
public class LocalObjectStore implements ObjectStore {

  /**
   * The file in the root that names the store, so that instances can tell whether they share it.
   */
  static final String ID_FILE = ".store-id";

  private final Path root;
  private String id;

  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * What names this store's directory: made once and kept in it, so that every instance that mounts
   * the same directory reads the same one. A directory that cannot be written gets one of this
   * process only.
   */
  public synchronized String id() {
    if (id == null) {
      id = readOrMakeId();
    }
    return id;
  }

  private String readOrMakeId() {
    Path file = root.resolve(ID_FILE);
    String made = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      Files.createDirectories(root);
      try {
        // never replaces the id another instance made first
        Files.writeString(file, made + "\n", StandardOpenOption.CREATE_NEW);
        return made;
      } catch (FileAlreadyExistsException e) {
        for (int attempt = 0; attempt < 10; attempt++) {
          String kept = Files.readString(file).strip();
          if (!kept.isEmpty()) {
            return kept;
          }
          Thread.sleep(50); // being written by the instance that made it
        }
        return made;
      }
    } catch (IOException e) {
      return made;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return made;
    }
  }

  @Override
  public URI locate(String bucket, String key) {
    return pointer(path(key), key.endsWith("/"));
  }

  /**
   * The pointer of {@code path}, ending in {@code /} exactly when it names a prefix, whatever is on
   * disk now ({@link Path#toUri} adds a {@code /} to a directory that exists).
   */
  private static URI pointer(Path path, boolean prefix) {
    String uri = path.toUri().toString();
    if (prefix && !uri.endsWith("/")) {
      return URI.create(uri + "/");
    }
    if (!prefix && uri.endsWith("/")) {
      return URI.create(uri.substring(0, uri.length() - 1));
    }
    return URI.create(uri);
  }

  private Path path(String key) {
    Path target = root.resolve(key).normalize();
    if (!target.startsWith(root)) {
      throw new IllegalArgumentException("key outside the store: " + key);
    }
    return target;
  }

  @Override
  public URI put(String bucket, String key, byte[] data) {
    Path target = path(key);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
      Files.write(tmp, data);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + target, e);
    }
    return pointer(target, false);
  }

  @Override
  public URI put(String bucket, String key, Path file) {
    Path target = path(key);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
      Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + target, e);
    }
    return pointer(target, false);
  }

  @Override
  public OptionalLong size(URI pointer) {
    Optional<Path> path = file(pointer);
    try {
      return path.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Files.size(path.get()));
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path.get(), e);
    }
  }

  @Override
  public Optional<InputStream> open(URI pointer, long from, long to) {
    Optional<Path> path = file(pointer);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    try {
      SeekableByteChannel channel = Files.newByteChannel(path.get());
      channel.position(from);
      InputStream in = Channels.newInputStream(channel);
      return Optional.of(to == END ? in : new Limited(in, Math.max(0, to - from)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path.get(), e);
    }
  }

  /** A stream that ends after {@code left} bytes. */
  private static final class Limited extends FilterInputStream {
    private long left;

    Limited(InputStream in, long left) {
      super(in);
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /** The file {@code pointer} names in this store; empty outside it or for a prefix. */
  private Optional<Path> file(URI pointer) {
    Path path = Path.of(pointer).normalize();
    if (!path.startsWith(root) || Files.isDirectory(path)) {
      return Optional.empty();
    }
    return Optional.of(path);
  }

  @Override
  public Optional<byte[]> get(URI pointer) {
    Path path = Path.of(pointer).normalize();
    if (!path.startsWith(root)) {
      return Optional.empty(); // never read outside the store, whatever a pointer says
    }
    if (Files.isDirectory(path)) {
      return Optional.empty(); // only a prefix of other objects
    }
    try {
      return Optional.of(Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Reads the file only after its size showed it is at most {@code maxBytes}. */
  @Override
  public Optional<byte[]> get(URI pointer, long maxBytes) {
    Path path = Path.of(pointer).normalize();
    if (!path.startsWith(root) || Files.isDirectory(path)) {
      return Optional.empty();
    }
    try {
      long size = Files.size(path);
      if (size > maxBytes) {
        throw new ObjectTooLargeException(pointer.toString(), size, maxBytes);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    return ObjectStore.super.get(pointer, maxBytes); // checked again: it may have been replaced
  }

  @Override
  public void deleteUnder(URI prefix) {
    if (!prefix.getPath().endsWith("/")) {
      throw new IllegalArgumentException("not a prefix (it ends in /): " + prefix);
    }
    Path top = Path.of(prefix).normalize();
    if (!top.startsWith(root) || top.equals(root)) {
      throw new IllegalArgumentException("not a prefix inside the store: " + prefix);
    }
    if (!Files.isDirectory(top)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(top)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + top, e);
    }
  }

  @Override
  public boolean handles(URI pointer) {
    return "file".equals(pointer.getScheme());
  }
}
