package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** Logs paging, the ECR token cache and the resource check, against fakes of the SDK clients. */
class AwsHelpersTest {

  @Test
  void logsAreReadPageByPageToTheEnd() {
    FakeLogs logs = new FakeLogs(10_000);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 25_001; i++) {
      lines.add("line " + i);
    }
    logs.streams.put("covalent-batch-job-logs|s1", lines);

    String text = new BatchJobLogs(logs).read("covalent-batch-job-logs", "s1").orElseThrow();

    assertThat(text.lines().count()).isEqualTo(25_001);
    assertThat(text).startsWith("line 0\n").endsWith("line 25000\n");
    assertThat(logs.calls).isEqualTo(4); // three full or partial pages, then an empty one
  }

  @Test
  void logsFallBackToBatchsDefaultGroup() {
    FakeLogs logs = new FakeLogs(100);
    logs.streams.put("/aws/batch/job|s2", List.of("from the default group"));

    assertThat(new BatchJobLogs(logs).read("covalent-batch-job-logs", "s2"))
        .contains("from the default group\n");
    assertThat(new BatchJobLogs(logs).read("covalent-batch-job-logs", "nowhere")).isEmpty();
  }

  @Test
  void theEcrTokenIsCachedUntilShortlyBeforeItExpires() {
    FakeEcr ecr = new FakeEcr("127.0.0.1:5000");
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    ecr.tokenExpiry = start.plus(Duration.ofHours(12));
    SettableClock clock = SettableClock.at(start);
    EcrLogin login = new EcrLogin(ecr, clock);

    EcrLogin.Credentials first = login.credentials();
    clock.advance(Duration.ofHours(11));
    login.credentials();
    assertThat(ecr.tokenCalls.get()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(31));
    login.credentials();

    assertThat(ecr.tokenCalls.get()).isEqualTo(2);
    assertThat(first.username()).isEqualTo("AWS");
    assertThat(first.password()).isEqualTo("not-a-real-password");
    assertThat(first.registry()).isEqualTo("http://127.0.0.1:5000");
    assertThat(first.toString()).doesNotContain("not-a-real-password");
  }

  @Test
  void theResourcesHealthIsCheckedAtMostOncePerTimeToLive() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    SettableClock clock = SettableClock.at(start);
    AtomicInteger checks = new AtomicInteger();
    CachedHealth health =
        new CachedHealth(
            () -> Health.up().withDetail("check", checks.incrementAndGet()).build(),
            Duration.ofSeconds(30),
            clock);

    health.health();
    clock.advance(Duration.ofSeconds(29));
    Health cached = health.health();
    clock.advance(Duration.ofSeconds(1));
    Health fresh = health.health();

    assertThat(cached.getDetails()).containsEntry("check", 1);
    assertThat(fresh.getDetails()).containsEntry("check", 2);
    assertThat(checks.get()).isEqualTo(2);
  }

  @Test
  void missingResourcesAreNamedWithWhatToDo() {
    FakeBatch batch = new FakeBatch();
    batch.queues.add("covalent-batch-queue");
    FakeEcr ecr = new FakeEcr("r");
    FakeLogs logs = new FakeLogs(10);
    logs.streams.put("covalent-batch-job-logs|x", List.of());
    AwsResources resources = new AwsResources(new NoBucketS3(), ecr, batch, logs);

    Map<String, String> checked =
        resources.check(AwsBatchStepsTest.settings(2.0, 3.75, 0, "r", "e"));

    assertThat(checked)
        .containsEntry("batch_queue covalent-batch-queue", "ok")
        .containsEntry("log_group covalent-batch-job-logs", "ok");
    assertThat(AwsResources.problems(checked))
        .containsExactlyInAnyOrder(
            "s3_bucket covalent-batch-job-resources: missing: create the bucket or set s3_bucket_name",
            "ecr_repository covalent-batch-job-images: missing: create the repository or set ecr_repo_name");
  }

  /** S3 without any bucket. */
  static class NoBucketS3 implements S3Client {
    @Override
    public HeadBucketResponse headBucket(HeadBucketRequest request) {
      throw NoSuchBucketException.builder().statusCode(404).message("no bucket").build();
    }

    @Override
    public String serviceName() {
      return "s3";
    }

    @Override
    public void close() {}
  }
}
