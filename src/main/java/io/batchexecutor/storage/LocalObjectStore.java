package io.batchexecutor.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Objects as files under a root directory ({@code <cache_dir>/objects}); buckets are ignored. */
public class LocalObjectStore implements ObjectStore {

  private final Path root;

  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
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
