package io.batchexecutor.config;

/** Name rules of the AWS services a task's settings are sent to. */
public final class AwsNames {
  public static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
  public static final String BUCKET_MESSAGE =
      "must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'";
  public static final String ECR_REPOSITORY =
      "^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$";
  public static final String ECR_REPOSITORY_MESSAGE =
      "must be an ECR repository name: lowercase letters, digits, '.', '_', '-' and '/'";
  public static final String BATCH_NAME = "^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$";
  public static final String BATCH_NAME_MESSAGE =
      "must be 1-128 letters, digits, '-' and '_', starting with a letter or digit";
  public static final String ROLE =
      "^(?:[\\w+=,.@-]{1,64}|arn:[\\w-]+:iam::\\d{12}:role/[\\w+=,.@/-]{1,512})$";
  public static final String ROLE_MESSAGE =
      "must be an IAM role name (1-64 of [A-Za-z0-9+=,.@_-]) or a role ARN";
  public static final String LOG_GROUP = "^[.\\-_/#A-Za-z0-9]{1,512}$";
  public static final String LOG_GROUP_MESSAGE =
      "must be a CloudWatch log group name: 1-512 of [A-Za-z0-9._/#-]";

  private AwsNames() {}
}
