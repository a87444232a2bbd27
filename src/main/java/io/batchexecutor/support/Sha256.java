package io.batchexecutor.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests, as lower-case hex: what the service and the runner compare objects by. */
public final class Sha256 {

  private Sha256() {}

  /** The SHA-256 of {@code bytes}, 64 lower-case hex digits. */
  public static String hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Whether {@code bytes} have the digest {@code expected} (compared in constant time). */
  public static boolean matches(byte[] bytes, String expected) {
    return expected != null
        && MessageDigest.isEqual(
            hex(bytes).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
