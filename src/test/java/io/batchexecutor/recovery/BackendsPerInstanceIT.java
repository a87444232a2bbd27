package io.batchexecutor.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.FakeAwsEndpoint;
import io.batchexecutor.support.s3.S3MockServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two packaged instances on one database and one object store (S3, through the tests' loopback AWS
 * endpoint), one running only local, the other local and awsbatch: the first never claims a task of
 * awsbatch, though it accepts them; each task runs on the backend it asked for.
 */
class BackendsPerInstanceIT {

  static final String BUCKET = "batch-executor-per-instance";
  static final String SECRET = "fake-secret-" + UUID.randomUUID();
  static final int EACH = 6;

  /** A repository of this run only: an image left in the registry by an earlier run is no push. */
  static final String REPOSITORY =
      "batch-executor-per-instance-" + UUID.randomUUID().toString().substring(0, 8);

  DockerClient docker;
  FakeAwsEndpoint aws;
  Path cacheDir;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    String registry = TestRegistry.require();
    S3MockServer.get().ensureBucket(BUCKET);
    aws =
        new FakeAwsEndpoint(
            S3MockServer.get().endpoint(),
            registry,
            docker,
            Map.of(
                "AWS_ACCESS_KEY_ID", "fake-access-key",
                "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_DEFAULT_REGION", "us-east-1"));
    cacheDir = ScratchCacheDir.create("per-instance");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (aws != null) {
      aws.close();
    }
    if (cacheDir != null) {
      ScratchCacheDir.remove(cacheDir);
    }
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void anInstanceClaimsOnlyTheTasksOfTheBackendsItRuns() throws Exception {
    Path log = cacheDir.resolve("service.log");
    // one after the other, as in TwoInstancesIT (two first starts at once race to create the
    // embedded server's database)
    try (ServiceProcess localOnly = start(log, "batch-executor.instance.backends=local");
        ServiceProcess both = start(log)) {
      Api api = localOnly.api();
      JsonNode health = both.api().as(Api.OPERATOR).get("/actuator/health").json();
      assertThat(health.toString()).contains("this_instance");
      List<String> local = new ArrayList<>();
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < EACH; i++) {
        local.add(submit(i % 2 == 0 ? api : both.api(), "local"));
        batch.add(submit(i % 2 == 0 ? api : both.api(), "awsbatch"));
      }

      String localOnlyPid = "-" + localOnly.pid() + "-";
      Set<String> claimedLocal = new HashSet<>();
      for (String id : local) {
        for (String instance : claimsOf(api, id, "local")) {
          claimedLocal.add(instance.contains(localOnlyPid) ? "local-only" : "both");
        }
      }
      for (String id : batch) {
        for (String instance : claimsOf(api, id, "awsbatch")) {
          assertThat(instance)
              .as("a task of awsbatch is never claimed by the instance running local only")
              .doesNotContain(localOnlyPid);
        }
      }
      assertThat(claimedLocal)
          .as("the instance running local only did claim tasks of local")
          .contains("local-only");
      assertThat(aws.submitted()).as("each awsbatch task went to Batch once").hasSize(EACH);
    }
  }

  private String submit(Api api, String backend) {
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function("def task(x):\n    return x * 2\n", "task")
                .set("args", List.of(21))
                .executor("backend", backend)
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    return accepted.json().get("id").asString();
  }

  /** Waits for the task's end, checks it ran on {@code backend}, and returns who claimed it. */
  private static List<String> claimsOf(Api api, String id, String backend) {
    JsonNode task =
        api.awaitTask(
            id,
            t -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(t.get("status").asString()),
            Duration.ofMinutes(4));
    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("executor").get("backend").asString()).isEqualTo(backend);
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);
    return api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .valueStream()
        .filter(e -> e.get("kind").asString().equals("CLAIMED"))
        .map(e -> e.get("details").get("instance").asString())
        .toList();
  }

  private ServiceProcess start(Path log, String... more) {
    List<String> properties =
        new ArrayList<>(
            List.of(
                "batch-executor.backends=local,awsbatch",
                "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
                "batch-executor.awsbatch.endpoint=" + aws.endpoint(),
                "batch-executor.awsbatch.region=us-east-1",
                "batch-executor.awsbatch.s3-path-style=true",
                "batch-executor.awsbatch.s3-bucket-name=" + BUCKET,
                "batch-executor.awsbatch.ecr-repo-name=" + REPOSITORY,
                "batch-executor.awsbatch.batch-queue=per-instance-queue",
                "batch-executor.awsbatch.poll-freq=1",
                "batch-executor.awsbatch.time-limit=120",
                "batch-executor.pipeline.workers=2",
                "logging.level.root=WARN"));
    properties.addAll(List.of(more));
    return ServiceProcess.start(
        cacheDir,
        log,
        Map.of(
            "AWS_ACCESS_KEY_ID", "fake-access-key",
            "AWS_SECRET_ACCESS_KEY", SECRET,
            "AWS_REGION", "us-east-1"),
        properties.toArray(String[]::new));
  }
}
