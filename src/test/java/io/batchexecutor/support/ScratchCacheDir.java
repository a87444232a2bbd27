package io.batchexecutor.support;

import io.batchexecutor.db.EmbeddedPostgres;
import io.batchexecutor.db.UnpackedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;

/**
 * A cache directory of its own for services started as child processes: world-traversable (the
 * embedded PostgreSQL runs unprivileged under root), with the PostgreSQL binaries already in it
 * ({@link UnpackedPostgres}), and removed afterwards together with the PostgreSQL server a killed
 * service left running there.
 */
public final class ScratchCacheDir {

  private ScratchCacheDir() {}

  public static Path create(String prefix) throws IOException {
    Path dir = Path.of(TestDatabase.CACHE_DIR, prefix + "-" + UUID.randomUUID());
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    UnpackedPostgres.linkInto(Path.of(TestDatabase.CACHE_DIR), dir.resolve("postgres"));
    return dir;
  }

  public static void remove(Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    EmbeddedPostgres.stopServer(dir.resolve("postgres"));
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
