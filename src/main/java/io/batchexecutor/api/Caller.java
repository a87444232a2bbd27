package io.batchexecutor.api;

import org.springframework.stereotype.Component;

/**
 * Who is calling: the owner recorded on the tasks they submit and the only one who sees them. Until
 * authentication is configured every caller is the same client, {@code anonymous}.
 */
@Component
public class Caller {

  public static final String ANONYMOUS = "anonymous";

  /** The calling client's name. */
  public String current() {
    return ANONYMOUS;
  }
}
