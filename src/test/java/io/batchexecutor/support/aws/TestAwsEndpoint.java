package io.batchexecutor.support.aws;

import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.s3.S3MockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The tests' AWS endpoint ({@link FakeAwsEndpoint}) for one service test class on the AWS Batch
 * backend: a bucket on the tests' S3Mock, an ECR repository of this run only (an image an earlier
 * run left in the registry is no push), and the endpoint itself, started when the class's context
 * reads its settings and closed after the class. Before each test it requires the Docker engine and
 * the tests' registry (skipped, or failed under {@code CI=true}, saying why).
 *
 * <p>Each class gets an endpoint of its own, not one per JVM: what a test reads from it (the jobs
 * submitted, the job definitions, the objects written) and what it arranges on it (a held answer, a
 * gated job, an operation made to fail) must not include another class's, whose service context the
 * context cache keeps running. An endpoint costs a loopback HTTP server, nothing to wait for.
 *
 * <pre>{@code
 * @RegisterExtension static final TestAwsEndpoint AWS = TestAwsEndpoint.withBucket(BUCKET);
 *
 * @DynamicPropertySource
 * static void aws(DynamicPropertyRegistry registry) {
 *   AWS.register(registry);
 * }
 * }</pre>
 */
public final class TestAwsEndpoint implements BeforeEachCallback, AfterAllCallback {

  private final String bucket;
  private final String repository;
  private final List<Consumer<FakeAwsEndpoint>> arrangements;
  private final boolean requireEngine;
  private FakeAwsEndpoint endpoint; // guarded by this

  private TestAwsEndpoint(
      String bucket,
      String repository,
      List<Consumer<FakeAwsEndpoint>> arrangements,
      boolean requireEngine) {
    this.bucket = bucket;
    this.repository = repository;
    this.arrangements = List.copyOf(arrangements);
    this.requireEngine = requireEngine;
  }

  /**
   * An endpoint whose S3 holds {@code bucket}, with a repository named after the bucket and a
   * random suffix.
   */
  public static TestAwsEndpoint withBucket(String bucket) {
    return new TestAwsEndpoint(
        bucket, bucket + "-" + UUID.randomUUID().toString().substring(0, 8), List.of(), true);
  }

  /** The same, with the ECR repository named {@code repository} (one of this run only). */
  public TestAwsEndpoint repository(String repository) {
    return new TestAwsEndpoint(bucket, repository, arrangements, requireEngine);
  }

  /**
   * The same, with {@code arrangement} applied to the endpoint once it has started and before the
   * service reads its address (a Fargate queue, a secret's value).
   */
  public TestAwsEndpoint arranged(Consumer<FakeAwsEndpoint> arrangement) {
    List<Consumer<FakeAwsEndpoint>> more = new ArrayList<>(arrangements);
    more.add(arrangement);
    return new TestAwsEndpoint(bucket, repository, more, requireEngine);
  }

  /** The same, leaving it to the tests to check for the Docker engine and the registry. */
  public TestAwsEndpoint withoutEngineCheck() {
    return new TestAwsEndpoint(bucket, repository, arrangements, false);
  }

  /** The ECR repository the service is given. */
  public String repository() {
    return repository;
  }

  /**
   * Gives the service the endpoint (started here) and the repository; without the tests' registry,
   * an address where nothing answers, for tests that are then skipped.
   */
  public void register(DynamicPropertyRegistry registry) {
    if (TestRegistry.ADDRESS == null) {
      registry.add("batch-executor.awsbatch.endpoint", () -> "http://127.0.0.1:9");
      return;
    }
    String address = fake().endpoint().toString();
    registry.add("batch-executor.awsbatch.ecr-repo-name", () -> repository);
    registry.add("batch-executor.awsbatch.endpoint", () -> address);
  }

  /** The endpoint, to arrange calls on and to read what the service sent; started if it was not. */
  public synchronized FakeAwsEndpoint fake() {
    if (endpoint == null) {
      try {
        S3MockServer.get().ensureBucket(bucket);
        FakeAwsEndpoint started = FakeAwsEndpoint.forTests();
        arrangements.forEach(a -> a.accept(started));
        endpoint = started;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return endpoint;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (requireEngine) {
      DockerAvailable.assume(DockerAvailable.client());
      TestRegistry.require();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (endpoint != null) {
      endpoint.close();
      endpoint = null;
    }
  }
}
