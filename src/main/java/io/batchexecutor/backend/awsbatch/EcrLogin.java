package io.batchexecutor.backend.awsbatch;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;

/**
 * Credentials for pushing to ECR from {@code GetAuthorizationToken}, cached until shortly before
 * the token expires (tokens live 12 hours).
 */
public class EcrLogin {

  /** A registry login: user name, password and the registry's address. */
  public record Credentials(String username, String password, String registry, Instant expiresAt) {
    @Override
    public String toString() {
      return "Credentials[username=" + username + ", registry=" + registry + ", password=****]";
    }
  }

  static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(30);

  private final EcrClient ecr;
  private final Clock clock;
  private Credentials cached;

  public EcrLogin(EcrClient ecr, Clock clock) {
    this.ecr = ecr;
    this.clock = clock;
  }

  public synchronized Credentials credentials() {
    if (cached != null && clock.instant().isBefore(cached.expiresAt().minus(RENEW_BEFORE_EXPIRY))) {
      return cached;
    }
    AuthorizationData data = ecr.getAuthorizationToken().authorizationData().get(0);
    String decoded =
        new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    Instant expires =
        data.expiresAt() != null ? data.expiresAt() : clock.instant().plus(Duration.ofHours(12));
    cached =
        new Credentials(
            decoded.substring(0, colon),
            decoded.substring(colon + 1),
            data.proxyEndpoint(),
            expires);
    return cached;
  }
}
