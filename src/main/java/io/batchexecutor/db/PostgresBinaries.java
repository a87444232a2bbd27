package io.batchexecutor.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The zonky PostgreSQL binaries on the class path, unpacked once per version and platform into
 * {@code bin-<version>-<system>-<hardware>/} under the base directory. They are unpacked beside it
 * first and moved in when complete, so a directory of that name always holds all of them.
 */
final class PostgresBinaries {

  private static final String VERSION = "17.6.0";

  private PostgresBinaries() {}

  /**
   * The binaries for this platform under {@code baseDir}, unpacked there unless they already are.
   */
  static Path unpack(Path baseDir) throws IOException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String system = os.contains("mac") || os.contains("darwin") ? "darwin" : "linux";
    String hardware =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> arch;
        };
    String resource = "postgres-" + system + "-" + hardware + ".txz";
    Path target = baseDir.resolve("bin-" + VERSION + "-" + system + "-" + hardware);
    if (Files.exists(target.resolve(".complete"))) {
      return target;
    }
    try (InputStream in = PostgresBinaries.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "No embedded PostgreSQL binaries for "
                + os
                + "/"
                + arch
                + " (only Linux and macOS on x86-64 and arm64 are shipped);"
                + " set spring.datasource.url to use an external PostgreSQL");
      }
      Path staging = Files.createTempDirectory(baseDir, "unpack-");
      extract(in, staging);
      setPermissions(staging, "rwxr-xr-x");
      Files.writeString(staging.resolve(".complete"), VERSION);
      if (Files.exists(target)) {
        deleteRecursively(target);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }
    return target;
  }

  /** The binaries unpacked under {@code baseDir} by whichever process started a server there. */
  static Path find(Path baseDir) throws IOException {
    try (var bins = Files.list(baseDir)) {
      return bins.filter(p -> p.getFileName().toString().startsWith("bin-"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under " + baseDir));
    }
  }

  private static void extract(InputStream in, Path into) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = into.resolve(entry.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("archive entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.deleteIfExists(path);
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          boolean executable = (entry.getMode() & 0100) != 0;
          setPermissions(path, executable ? "rwxr-xr-x" : "rw-r--r--");
        }
      }
    }
  }

  private static void setPermissions(Path path, String permissions) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
