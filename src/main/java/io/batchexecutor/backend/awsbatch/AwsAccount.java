package io.batchexecutor.backend.awsbatch;

import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * The AWS account the service acts in, from STS {@code GetCallerIdentity} (asked once), and the
 * role ARNs built from it: a role setting that already is an ARN is used as it is.
 */
public class AwsAccount {

  private final StsClient sts;
  private volatile GetCallerIdentityResponse identity;

  public AwsAccount(StsClient sts) {
    this.sts = sts;
  }

  public String accountId() {
    return identity().account();
  }

  /** {@code arn:<partition>:iam::<account>:role/<name>}, or {@code nameOrArn} if it is an ARN. */
  public String roleArn(String nameOrArn) {
    if (nameOrArn.startsWith("arn:")) {
      return nameOrArn;
    }
    return "arn:" + partition() + ":iam::" + accountId() + ":role/" + nameOrArn;
  }

  private String partition() {
    String arn = identity().arn();
    if (arn != null && arn.startsWith("arn:")) {
      String[] parts = arn.split(":", 3);
      if (parts.length > 1 && !parts[1].isBlank()) {
        return parts[1];
      }
    }
    return "aws";
  }

  private GetCallerIdentityResponse identity() {
    GetCallerIdentityResponse known = identity;
    if (known == null) {
      synchronized (this) {
        if (identity == null) {
          identity = sts.getCallerIdentity();
        }
        known = identity;
      }
    }
    return known;
  }
}
