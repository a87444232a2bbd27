package io.batchexecutor.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The embedded PostgreSQL's binaries unpacked once for the tests, under {@code <cache
 * dir>/postgres-binaries}, and hard-linked into the fresh cache directory of each service a test
 * starts as a child process: that service then finds them unpacked, as on its second start, instead
 * of spending seconds of CPU on decompressing them again. The files are the same; only the
 * unpacking is saved.
 */
public final class UnpackedPostgres {

  private UnpackedPostgres() {}

  /**
   * Links the binaries into {@code baseDir} (a service's {@code <cache dir>/postgres}), where the
   * service looks for them; leaves it to the service to unpack them when they cannot be linked.
   */
  public static synchronized void linkInto(Path sharedCacheDir, Path baseDir) {
    try {
      Path shared = sharedCacheDir.resolve("postgres-binaries");
      Files.createDirectories(shared);
      Path unpacked;
      try (FileChannel lockFile =
              FileChannel.open(
                  shared.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        unpacked = PostgresBinaries.unpack(shared); // against another JVM unpacking at once
      }
      // linked beside their place and moved in when complete, as PostgresBinaries unpacks them
      Files.createDirectories(baseDir);
      Path staging = Files.createTempDirectory(baseDir, "link-");
      try (var files = Files.walk(unpacked)) {
        for (Path from : files.toList()) {
          Path to = staging.resolve(unpacked.relativize(from).toString());
          if (Files.isSymbolicLink(from)) {
            Files.createSymbolicLink(to, Files.readSymbolicLink(from));
          } else if (Files.isDirectory(from)) {
            Files.createDirectories(to);
          } else {
            Files.createLink(to, from);
          }
        }
      }
      Files.setPosixFilePermissions(staging, Files.getPosixFilePermissions(unpacked));
      Files.move(staging, baseDir.resolve(unpacked.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      // another file system, or no hard links: the service unpacks them itself, as it would
    }
  }
}
