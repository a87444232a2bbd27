package io.batchexecutor.config;

import java.util.Optional;

/**
 * The AWS account the service acts in, where it talks to AWS: what a role name means when a role
 * ARN is compared with it ({@link IamRoles}).
 */
@FunctionalInterface
public interface ServiceAccount {

  /** The account id, if it can be known now. */
  Optional<String> accountId();
}
