package io.batchexecutor.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A token the service makes once and keeps in a file that only its own user can read: the file is
 * created with that mode (never readable by others, not even for a moment) under a temporary name
 * and moved into place whole, so a reader finds either no file or the whole token.
 */
final class SecretFile {

  /** A token, and whether it was made just now (else it was read from the file). */
  record Token(String value, boolean made) {}

  private SecretFile() {}

  static Token readOrMake(Path file) {
    try {
      if (Files.exists(file)) {
        return new Token(Files.readString(file).strip(), false);
      }
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, token + "\n", StandardOpenOption.WRITE);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return new Token(token, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep a token in " + file, e);
    }
  }

  /** The SHA-256 of a token: tokens are kept and compared only as digests. */
  static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
