package io.batchexecutor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ProblemAssert;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.s3.S3MockServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/** Results stored and read back through the S3 implementation, against S3Mock. */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.storage.type=s3",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + S3ObjectStoreIT.BUCKET,
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class S3ObjectStoreIT {

  static final String BUCKET = "batch-executor-results";

  @LocalServerPort int port;
  @Autowired DockerClient docker;

  @DynamicPropertySource
  static void s3(DynamicPropertyRegistry registry) {
    registry.add(
        "batch-executor.awsbatch.endpoint", () -> S3MockServer.get().endpoint().toString());
  }

  @BeforeAll
  static void bucket() {
    S3MockServer.get().ensureBucket(BUCKET);
  }

  static S3Client client() {
    return S3MockServer.get().client();
  }

  @Test
  void objectsRoundTripThroughS3() {
    try (S3Client s3 = client()) {
      S3ObjectStore store = new S3ObjectStore(s3);
      URI pointer =
          store.put(BUCKET, "a/b/result.json", "{\"ok\": true}".getBytes(StandardCharsets.UTF_8));

      assertThat(pointer).hasToString("s3://" + BUCKET + "/a/b/result.json");
      assertThat(store.handles(pointer)).isTrue();
      assertThat(store.get(pointer))
          .hasValueSatisfying(
              bytes ->
                  assertThat(new String(bytes, StandardCharsets.UTF_8))
                      .isEqualTo("{\"ok\": true}"));
      assertThat(store.get(URI.create("s3://" + BUCKET + "/a/b/missing.json"))).isEmpty();
      assertThat(store.locate(BUCKET, "x")).hasToString("s3://" + BUCKET + "/x");
    }
  }

  @Test
  void everythingUnderAPrefixIsDeletedAndNothingBesideIt() {
    try (S3Client s3 = client()) {
      S3ObjectStore store = new S3ObjectStore(s3);
      byte[] data = "x".getBytes(StandardCharsets.UTF_8);
      URI result = store.put(BUCKET, "gone/t1/result.json", data);
      URI deep = store.put(BUCKET, "gone/t1/sweep/0/output.log", data);
      URI sibling = store.put(BUCKET, "gone/t10/result.json", data);

      store.deleteUnder(URI.create("s3://" + BUCKET + "/gone/t1/"));
      store.deleteUnder(URI.create("s3://" + BUCKET + "/gone/nothing-here/"));

      assertThat(store.get(result)).isEmpty();
      assertThat(store.get(deep)).isEmpty();
      assertThat(store.get(sibling)).as("t10 only shares the characters").isPresent();
    }
  }

  @Test
  void aTaskResultGoesToS3AndIsServedFromThere() {
    DockerAvailable.assume(docker);
    Api api = new Api(port);
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    JsonNode task =
        api.awaitTask(
            id,
            t -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(t.get("status").asString()),
            Duration.ofSeconds(120));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    String key = "batch-executor/tester/" + id + "/result.json";
    assertThat(task.get("result").asString())
        .as("under the client's own prefix")
        .isEqualTo("s3://" + BUCKET + "/" + key);
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(3);
    try (S3Client s3 = client()) {
      byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
      assertThat(new String(stored, StandardCharsets.UTF_8)).contains("\"value\": 3");
      assertThat(task.path("result_sha256").path("result.json").asString())
          .isEqualTo(Sha256.hex(stored));

      // another writer changes the stored result: it is not served
      s3.putObject(
          b -> b.bucket(BUCKET).key(key), RequestBody.fromString("{\"ok\": true, \"value\": 4}"));
      ProblemAssert.assertProblem(
          api.get("/api/v1/tasks/" + id + "/result"), 409, "result-altered");
      assertThat(api.get("/api/v1/tasks/" + id + "/result").text())
          .contains("result.json")
          .doesNotContain("\"value\": 4");
    }
  }
}
