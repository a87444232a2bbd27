package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.UploadedFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Files a client uploads for its tasks: stored under its own name and content, within its size
 * limit and its quota (another client's quota is its own), seen by no other client; a task naming
 * one the client does not have, or an S3 transfer on the local backend, is refused at acceptance
 * naming the field, and nothing of it is stored.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.files.max-file-size=16B",
      "batch-executor.files.max-bytes-per-client=40B",
      "batch-executor.files.max-per-task=3"
    })
class FileTransferApiTest {

  @LocalServerPort int port;
  @Autowired ObjectStores stores;
  @Autowired ExecutorSettingsResolver settings;
  @Autowired JdbcClient jdbc;

  Api tester;
  Api intruder;

  @BeforeEach
  void clients() {
    tester = new Api(port);
    intruder = tester.as(Api.INTRUDER);
    // the tests share one database: each starts without uploads
    for (Api client : List.of(tester, intruder)) {
      client
          .get("/api/v1/files")
          .json()
          .get("files")
          .forEach(f -> client.delete("/api/v1/files/" + f.get("id").asString()));
    }
    // and no object of an upload left by an earlier run of the suite in the same store (its
    // database gone): what a test finds stored is what it stored
    stores.deleteUnder(
        stores
            .primary()
            .locate(settings.resolve(TaskSettings.none()).s3BucketName(), UploadedFiles.PREFIX)
            .toString());
  }

  @Test
  void anUploadIsTheClientsOwnNamedByItsContent() {
    byte[] data = "hello, files".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);

    Api.Response first = upload(Api.TESTER, data);
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.json().get("id").asString()).isEqualTo(id);
    assertThat(first.json().get("size").asLong()).isEqualTo(data.length);
    assertThat(first.header("Location")).contains("/api/v1/files/" + id);
    assertThat(upload(Api.TESTER, data).status()).as("the same bytes again").isEqualTo(200);

    assertThat(tester.bytes("/api/v1/files/" + id, "application/octet-stream")).isEqualTo(data);
    assertThat(tester.get("/api/v1/files").json().at("/used_bytes").asLong())
        .isEqualTo(data.length);

    assertProblem(intruder.get("/api/v1/files/" + id), 404, "upload-not-found");
    assertProblem(intruder.delete("/api/v1/files/" + id), 404, "upload-not-found");
    assertThat(intruder.get("/api/v1/files").json().get("files")).isEmpty();

    assertThat(tester.delete("/api/v1/files/" + id).status()).isEqualTo(204);
    assertProblem(tester.get("/api/v1/files/" + id), 404, "upload-not-found");
  }

  @Test
  void aRepeatUploadWhoseObjectIsGoneStoresItAgain() {
    byte[] data = "lost behind".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);
    assertThat(upload(Api.TESTER, data).status()).isEqualTo(201);
    String prefix =
        stores
            .primary()
            .locate(
                settings.resolve(TaskSettings.none()).s3BucketName(),
                UploadedFiles.PREFIX + "tester/" + id + "/")
            .toString();
    stores.deleteUnder(prefix);
    assertProblem(tester.get("/api/v1/files/" + id), 404, "upload-not-found");

    Api.Response again = upload(Api.TESTER, data);
    assertThat(again.status()).as("stored again, as a new upload is").isEqualTo(201);
    assertThat(again.json().get("id").asString()).isEqualTo(id);
    assertThat(tester.bytes("/api/v1/files/" + id, "application/octet-stream")).isEqualTo(data);
    assertThat(tester.get("/api/v1/files").json().at("/used_bytes").asLong())
        .as("counted once")
        .isEqualTo(data.length);
    assertThat(upload(Api.TESTER, data).status()).as("and then there").isEqualTo(200);
  }

  @Test
  void aFileTooLargeOrOverTheQuotaIsRefusedAndNotKeptWhileAnotherClientUploads() {
    assertProblem(upload(Api.TESTER, new byte[17]), 413, "file-too-large");
    assertThat(tester.get("/api/v1/files").json().get("files")).isEmpty();

    assertThat(upload(Api.TESTER, filled(16, 'a')).status()).isEqualTo(201);
    assertThat(upload(Api.TESTER, filled(16, 'b')).status()).isEqualTo(201);
    Api.Response over = upload(Api.TESTER, filled(16, 'c'));
    assertProblem(over, 413, "upload-quota-exceeded");
    assertThat(over.json().get("used_bytes").asLong()).isEqualTo(32);
    assertThat(over.json().get("max_bytes").asLong()).isEqualTo(40);
    assertProblem(
        tester.get("/api/v1/files/" + Sha256.hex(filled(16, 'c'))), 404, "upload-not-found");
    String refused =
        stores
            .primary()
            .locate(
                settings.resolve(TaskSettings.none()).s3BucketName(),
                UploadedFiles.PREFIX + "tester/" + Sha256.hex(filled(16, 'c')) + "/file")
            .toString();
    assertThat(stores.get(refused)).as("nothing of a refused upload is kept").isEmpty();

    // the other client's quota is its own
    assertThat(upload(Api.INTRUDER, filled(16, 'c')).status()).isEqualTo(201);

    assertThat(tester.delete("/api/v1/files/" + Sha256.hex(filled(16, 'a'))).status())
        .isEqualTo(204);
    assertThat(upload(Api.TESTER, filled(16, 'c')).status()).isEqualTo(201);
  }

  @Test
  void aTaskNamesOnlyItsClientsUploadsAndNoS3TransferOnTheLocalBackend() {
    String mine = upload(Api.TESTER, filled(8, 'm')).json().get("id").asString();
    String theirs = upload(Api.INTRUDER, filled(8, 't')).json().get("id").asString();
    long before = tester.get("/api/v1/tasks").json().get("total").asLong();

    Api.Response foreign =
        tester.post(
            "/api/v1/tasks",
            Tasks.add().set("files", List.of(Map.of("path", "/tmp/x", "upload", theirs))).build());
    assertProblem(foreign, 400, "upload-not-found");
    assertThat(foreign.json().at("/errors/0/field").asString()).isEqualTo("files[0].upload");

    Api.Response s3 =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .set("files", List.of(Map.of("path", "/tmp/x", "s3", "s3://bucket/data.csv")))
                .build());
    assertProblem(s3, 400, "file-transfer-not-supported");
    assertThat(s3.json().at("/errors/0/field").asString()).isEqualTo("files[0].s3");
    assertThat(s3.json().at("/errors/0/message").asString()).contains("local", "AWS Batch");

    String bucket = settings.resolve(TaskSettings.none()).s3BucketName();
    for (String reserved :
        List.of(
            "s3://" + bucket + "/batch-executor/intruder/payload.json",
            "s3://" + bucket + "/batch-executor/_uploads/intruder/" + theirs + "/file")) {
      Api.Response service =
          tester.post(
              "/api/v1/tasks",
              Tasks.add().set("files", List.of(Map.of("path", "/tmp/x", "s3", reserved))).build());
      assertProblem(service, 400, "file-transfer-reserved");
      assertThat(service.json().at("/errors/0/field").asString()).isEqualTo("files[0].s3");
    }

    Api.Response relative =
        tester.post(
            "/api/v1/tasks",
            Tasks.add().set("files", List.of(Map.of("path", "x.csv", "upload", mine))).build());
    assertProblem(relative, 400, "invalid-request");
    assertThat(relative.json().at("/errors/0/field").asString()).isEqualTo("files[0].path");

    Api.Response inWorkflow =
        tester.post(
            "/api/v1/workflows",
            Map.of(
                "tasks",
                Map.of(
                    "a",
                    Tasks.add()
                        .set("files", List.of(Map.of("path", "/tmp/x", "upload", theirs)))
                        .build())));
    assertThat(inWorkflow.status()).as(inWorkflow.text()).isEqualTo(400);
    assertThat(inWorkflow.text()).contains("files[0].upload");
    assertThat(tester.get("/api/v1/tasks").json().get("total").asLong())
        .as("nothing of a refused task is stored")
        .isEqualTo(before);

    Api.Response accepted =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .set(
                    "files",
                    List.of(
                        Map.of("path", "/tmp/in.txt", "upload", mine),
                        Map.of("path", "/tmp/out.txt", "order", "after")))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String task = accepted.json().get("id").asString();
    assertProblem(tester.get("/api/v1/tasks/" + task + "/files/1"), 409, "task-not-finished");
    assertProblem(tester.get("/api/v1/tasks/" + task + "/files/0"), 404, "file-not-found");
    assertProblem(intruder.get("/api/v1/tasks/" + task + "/files/1"), 404, "task-not-found");
  }

  @Test
  void aKeptFileIsServedOnceTheTaskSucceeded() {
    String task =
        tester
            .post(
                "/api/v1/tasks",
                Tasks.add()
                    .set("files", List.of(Map.of("path", "/tmp/out.txt", "order", "after")))
                    .build())
            .json()
            .get("id")
            .asString();
    String bucket = settings.resolve(TaskSettings.none()).s3BucketName();
    String prefix = "batch-executor/tester/" + task + "/";
    byte[] kept = filled(70_000, 'k');
    stores.primary().put(bucket, prefix + "file-0", kept);
    int updated =
        jdbc.sql(
                """
                UPDATE task SET status = 'SUCCEEDED', result_pointer = :result,
                       finished_at = now(), updated_at = now(), version = version + 1
                WHERE id = :id
                """)
            .param("result", stores.primary().locate(bucket, prefix + "result.json").toString())
            .param("id", java.util.UUID.fromString(task))
            .update();
    assertThat(updated).isOne();

    assertThat(tester.bytes("/api/v1/tasks/" + task + "/files/0", "application/octet-stream"))
        .isEqualTo(kept);
    assertThat(
            tester
                .get("/api/v1/tasks/" + task + "/files/0", "application/octet-stream")
                .header("Content-Length"))
        .hasValue(Integer.toString(kept.length));
    assertProblem(intruder.get("/api/v1/tasks/" + task + "/files/0"), 404, "task-not-found");

    stores.deleteUnder(stores.primary().locate(bucket, prefix).toString());
    assertProblem(tester.get("/api/v1/tasks/" + task + "/files/0"), 404, "file-not-found");
  }

  private Api.Response upload(String token, byte[] data) {
    return tester.as(token).upload(data);
  }

  private static byte[] filled(int size, char c) {
    return String.valueOf(c).repeat(size).getBytes(StandardCharsets.US_ASCII);
  }
}
