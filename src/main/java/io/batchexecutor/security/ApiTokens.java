package io.batchexecutor.security;

import io.batchexecutor.config.ClientNames;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The clients and their bearer tokens. Tokens are kept only as SHA-256 digests and compared in
 * constant time, every configured token each time, so that neither timing nor memory gives them
 * away. When none is configured the service makes one (client {@code default}), keeps it in {@code
 * <cache_dir>/api-token} readable by its owner only, and prints it once, when it is made.
 */
public final class ApiTokens {

  static final String DEFAULT_CLIENT = "default";

  private final Map<String, byte[]> digestByClient;

  private ApiTokens(Map<String, byte[]> digestByClient) {
    this.digestByClient = digestByClient;
  }

  /**
   * From {@code client=token} pairs; with none, the generated token of {@code tokenFile}.
   *
   * @param console where a newly made token is shown once (not the log)
   */
  public static ApiTokens of(List<String> pairs, Path tokenFile, PrintStream console) {
    Map<String, byte[]> digests = new LinkedHashMap<>();
    for (String pair : pairs == null ? List.<String>of() : pairs) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalStateException(
            "batch-executor.security.tokens must be client=token pairs; one entry is not");
      }
      String client =
          ClientNames.checked(pair.substring(0, eq).strip(), "batch-executor.security.tokens");
      String token = pair.substring(eq + 1).strip();
      if (token.length() < 16) {
        throw new IllegalStateException(
            "the token of client " + client + " is shorter than 16 characters");
      }
      if (digests.put(client, digest(token)) != null) {
        throw new IllegalStateException("client " + client + " is configured twice");
      }
    }
    if (digests.isEmpty()) {
      digests.put(DEFAULT_CLIENT, digest(generated(tokenFile, console)));
    }
    return new ApiTokens(digests);
  }

  /** The clients that have a token. */
  public Set<String> clients() {
    return digestByClient.keySet();
  }

  /** The token an {@code Authorization} header presents as {@code Bearer <token>}, if it does. */
  public static Optional<String> bearer(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? Optional.of(authorization.substring(7).strip())
        : Optional.empty();
  }

  /** The client whose token this is, if any. */
  public Optional<String> clientFor(String token) {
    byte[] presented = digest(token);
    String match = null;
    for (Map.Entry<String, byte[]> entry : digestByClient.entrySet()) {
      if (MessageDigest.isEqual(presented, entry.getValue())) {
        match = entry.getKey(); // no early exit: every comparison is made
      }
    }
    return Optional.ofNullable(match);
  }

  private static String generated(Path file, PrintStream console) {
    SecretFile.Token token = SecretFile.readOrMake(file);
    if (token.made()) {
      console.println(
          "batch-executor: no API token configured; made one for client 'default' (shown once,"
              + " kept in "
              + file
              + "):\n  Authorization: Bearer "
              + token.value());
    } else {
      console.println("batch-executor: API token of client 'default' is in " + file);
    }
    return token.value();
  }

  private static byte[] digest(String token) {
    return SecretFile.digest(token);
  }
}
