package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TaskSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobQueueDetail;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checks that what the settings name exists — the bucket, the ECR repository, the job queue (and
 * that it is ENABLED and VALID), the log group — so that a missing one is reported at start-up and
 * in health, not discovered by a failing task later.
 */
public class AwsResources {

  private final S3Client s3;
  private final EcrClient ecr;
  private final BatchClient batch;
  private final CloudWatchLogsClient logs;

  public AwsResources(S3Client s3, EcrClient ecr, BatchClient batch, CloudWatchLogsClient logs) {
    this.s3 = s3;
    this.ecr = ecr;
    this.batch = batch;
    this.logs = logs;
  }

  /** What was checked, resource by resource: "ok" or what is wrong. */
  public Map<String, String> check(TaskSettings settings) {
    Map<String, String> found = new LinkedHashMap<>();
    found.put("s3_bucket " + settings.s3BucketName(), probe(() -> bucket(settings.s3BucketName())));
    found.put(
        "ecr_repository " + settings.ecrRepoName(),
        probe(() -> repository(settings.ecrRepoName())));
    found.put("batch_queue " + settings.batchQueue(), probe(() -> queue(settings.batchQueue())));
    found.put(
        "log_group " + settings.batchJobLogGroupName(),
        probe(() -> logGroup(settings.batchJobLogGroupName())));
    return found;
  }

  /** The problems among {@code checked}, as sentences. */
  public static List<String> problems(Map<String, String> checked) {
    List<String> problems = new ArrayList<>();
    checked.forEach(
        (what, state) -> {
          if (!"ok".equals(state)) {
            problems.add(what + ": " + state);
          }
        });
    return problems;
  }

  private String bucket(String name) {
    try {
      s3.headBucket(b -> b.bucket(name));
      return "ok";
    } catch (NoSuchBucketException e) {
      return "missing: create the bucket or set s3_bucket_name";
    } catch (S3Exception e) {
      return e.statusCode() == 404
          ? "missing: create the bucket or set s3_bucket_name"
          : "not accessible (" + e.statusCode() + ")";
    }
  }

  private String repository(String name) {
    try {
      ecr.describeRepositories(b -> b.repositoryNames(name));
      return "ok";
    } catch (RepositoryNotFoundException e) {
      return "missing: create the repository or set ecr_repo_name";
    }
  }

  private String queue(String name) {
    List<JobQueueDetail> queues = batch.describeJobQueues(b -> b.jobQueues(name)).jobQueues();
    if (queues.isEmpty()) {
      return "missing: create the job queue or set batch_queue";
    }
    JobQueueDetail q = queues.get(0);
    if (!"ENABLED".equals(q.stateAsString()) || !"VALID".equals(q.statusAsString())) {
      return "not usable: state " + q.stateAsString() + ", status " + q.statusAsString();
    }
    return "ok";
  }

  private String logGroup(String name) {
    boolean exists =
        logs.describeLogGroups(b -> b.logGroupNamePrefix(name)).logGroups().stream()
            .anyMatch(g -> name.equals(g.logGroupName()));
    return exists ? "ok" : "missing: create the log group or set batch_job_log_group_name";
  }

  private static String probe(Supplier<String> check) {
    try {
      return check.get();
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return "could not be checked: " + message.lines().findFirst().orElse(message);
    }
  }
}
