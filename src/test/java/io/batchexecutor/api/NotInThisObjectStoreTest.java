package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A task that ended on another instance with a local object store: its result and output are files
 * there, and this instance says so without naming a path.
 */
@ServiceTest
class NotInThisObjectStoreTest {

  @Autowired JdbcClient jdbc;
  @Autowired ObjectStores stores;
  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  @Test
  void aResultAndOutputKeptByAnotherInstanceAreAProblemThatNamesNoPath() {
    // another machine's cache directory, and this instance's own: the same path on two machines
    // is as likely
    String key = "tasks/" + UUID.randomUUID() + "/";
    String[][] pointers = {
      {
        "file:///srv/other-machine/covalent/objects/" + key + "result.json",
        "file:///srv/other-machine/covalent/objects/" + key + "output.log"
      },
      {
        stores.primary().locate("bucket", key + "result.json").toString(),
        stores.primary().locate("bucket", key + "output.log").toString()
      }
    };
    for (String[] pointer : pointers) {
      String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
      endedOnAnotherInstance(id, pointer[0], pointer[1]);
      String root = pointer[0].substring("file://".length(), pointer[0].indexOf("/objects/"));

      for (Api.Response answer :
          new Api.Response[] {
            api.get("/api/v1/tasks/" + id + "/result"),
            api.get("/api/v1/tasks/" + id + "/result", "application/octet-stream"),
            api.get("/api/v1/tasks/" + id + "/logs")
          }) {
        assertProblem(answer, 409, "not-in-this-object-store");
        assertThat(answer.json().get("detail").asString())
            .contains("local object store of the instance that ran it")
            .contains("shared object store");
        assertThat(answer.json().get("status_of_task").asString()).isEqualTo("SUCCEEDED");
        assertThat(answer.text())
            .doesNotContain("file:")
            .doesNotContain(root)
            .doesNotContain("/objects")
            .doesNotContain("output.log")
            .doesNotContain("result.json");
      }
    }
  }

  @Test
  void withoutStoredPointersTheAnswersAreAsBefore() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    endedOnAnotherInstance(id, null, null);

    assertProblem(api.get("/api/v1/tasks/" + id + "/result"), 409, "result-missing");
    assertProblem(api.get("/api/v1/tasks/" + id + "/logs"), 409, "no-logs");
  }

  private void endedOnAnotherInstance(String id, String result, String logs) {
    int updated =
        jdbc.sql(
                """
                UPDATE task SET status = 'SUCCEEDED', result_pointer = :result,
                       logs_pointer = :logs, finished_at = now(), updated_at = now(),
                       version = version + 1
                WHERE id = :id
                """)
            .param("result", result)
            .param("logs", logs)
            .param("id", UUID.fromString(id))
            .update();
    assertThat(updated).isOne();
  }
}
