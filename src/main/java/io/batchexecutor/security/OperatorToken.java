package io.batchexecutor.security;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The operator's bearer token: it reads the metrics and the health details, which tell of every
 * client's work, and is no client itself (it has no tasks and gets 403 on {@code /api/**}). Kept
 * only as a SHA-256 digest and compared in constant time. When none is configured the service makes
 * one and keeps it in {@code <cache_dir>/operator-token}, readable by its owner only; the console
 * says where, never what.
 */
public final class OperatorToken {

  private final byte[] digest;

  private OperatorToken(byte[] digest) {
    this.digest = digest;
  }

  /**
   * The configured token, else the one kept in {@code file} (made there when missing).
   *
   * @param clients the clients' tokens, none of which may be the operator's
   * @param console where the file of a newly made token is named once
   */
  public static OperatorToken of(
      String configured, Path file, ApiTokens clients, PrintStream console) {
    String token;
    if (configured != null && !configured.isBlank()) {
      token = configured.strip();
      if (token.length() < 16) {
        throw new IllegalStateException("the operator token is shorter than 16 characters");
      }
    } else {
      SecretFile.Token kept = SecretFile.readOrMake(file);
      if (kept.made()) {
        console.println(
            "batch-executor: no operator token configured; made one (metrics and health details),"
                + " kept in "
                + file);
      }
      token = kept.value();
    }
    if (clients.clientFor(token).isPresent()) {
      throw new IllegalStateException(
          "the operator token is also a client's token: give the operator a token of its own");
    }
    return new OperatorToken(SecretFile.digest(token));
  }

  /** Whether {@code token} is the operator's. */
  public boolean matches(String token) {
    return MessageDigest.isEqual(SecretFile.digest(token), digest);
  }
}
