package io.batchexecutor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * One client's thousands of queued tasks do not hold up another client's one: through the API, on
 * the real pipeline (backend {@code none}: a claimed task fails at once, so the claim is all that
 * orders them).
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=none",
      // the first client queues its thousands as fast as it can: no submission limits here
      "batch-executor.client-defaults.submissions-per-second=0",
      "batch-executor.client-defaults.max-unfinished-tasks=0"
    })
class FairClaimIT {

  static final int A_TASKS = 5_000;

  @LocalServerPort int port;
  @Autowired Pipeline pipeline;
  @Autowired JdbcClient jdbc;

  @Test
  void anotherClientsOneTaskEndsWhileThousandsOfTheFirstClientsAreQueued() throws Exception {
    pipeline.stop();
    submitAll(new Api(port), A_TASKS);
    assertThat(queued("tester")).isEqualTo(A_TASKS);
    // the other client's task is queued last, before the pipeline starts: oldest first it would
    // be claimed after all of the first client's; how fast this machine answers a request while
    // the pipeline runs decides nothing
    Api b = new Api(port).as(Api.INTRUDER);
    String id = b.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    pipeline.start();
    b.awaitEnd(id, Duration.ofSeconds(60));

    long aEndedBefore =
        jdbc.sql(
                """
                SELECT count(*) FROM task_event e JOIN task t ON t.id = e.task_id
                WHERE t.owner = 'tester' AND e.to_status = 'FAILED'
                  AND e.id < (SELECT max(id) FROM task_event
                              WHERE task_id = CAST(:id AS uuid) AND to_status = 'FAILED')
                """)
            .param("id", id)
            .query(Long.class)
            .single();
    assertThat(A_TASKS - aEndedBefore)
        .as("the first client's tasks not yet ended when the other's ended")
        .isGreaterThanOrEqualTo(1_000);
  }

  private long queued(String owner) {
    return jdbc.sql("SELECT count(*) FROM task WHERE owner = :owner AND status = 'QUEUED'")
        .param("owner", owner)
        .query(Long.class)
        .single();
  }

  /** {@code count} tasks through the API, eight requests at a time. */
  private void submitAll(Api client, int count) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(senders.submit(() -> client.post("/api/v1/tasks", Tasks.add().build()).status()));
      }
      for (Future<Integer> status : sent) {
        assertThat(status.get()).isEqualTo(202);
      }
    } finally {
      senders.shutdown();
    }
  }
}
