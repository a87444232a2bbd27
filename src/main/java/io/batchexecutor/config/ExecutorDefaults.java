package io.batchexecutor.config;

import java.nio.file.Path;
import java.util.Map;

/** The original Covalent AWS Batch plugin's defaults, used for every key nobody configured. */
public final class ExecutorDefaults {

  private ExecutorDefaults() {}

  /**
   * The built-in defaults. Credentials and profile follow the AWS conventions of the environment
   * this service runs in ({@code AWS_SHARED_CREDENTIALS_FILE}, {@code AWS_PROFILE}).
   */
  public static ExecutorSettings builtIn(Map<String, String> environment) {
    String credentials =
        environment.getOrDefault(
            "AWS_SHARED_CREDENTIALS_FILE",
            Path.of(System.getProperty("user.home"), ".aws", "credentials").toString());
    String profile = environment.getOrDefault("AWS_PROFILE", "default");
    return new ExecutorSettings(
        credentials,
        profile,
        null,
        "/tmp/covalent",
        new TaskSettings(
            null,
            "covalent-batch-job-resources",
            "covalent-batch-job-images",
            "covalent-batch-jobs",
            "covalent-batch-queue",
            "ecsTaskExecutionRole",
            "CovalentBatchJobRole",
            "covalent-batch-job-logs",
            2.0,
            3.75,
            0,
            3,
            300,
            10,
            null,
            null,
            null));
  }
}
