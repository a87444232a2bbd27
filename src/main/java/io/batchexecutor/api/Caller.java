package io.batchexecutor.api;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who is calling: the client that the request's bearer token names. It owns the tasks it submits
 * and is the only one who sees them; another client gets 404 for them, as if they did not exist.
 */
@Component
public class Caller {

  /**
   * Whether the caller bears the operator's token (role OPERATOR), which names no client: told by
   * the role, never by the name, since a client may be called operator too.
   */
  public boolean isOperator() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null
        && authentication.getAuthorities().stream()
            .anyMatch(a -> "ROLE_OPERATOR".equals(a.getAuthority()));
  }

  /** The calling client's name. */
  public String current() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication == null || !authentication.isAuthenticated()) {
      throw new IllegalStateException("an API call reached a controller unauthenticated");
    }
    return authentication.getName();
  }
}
