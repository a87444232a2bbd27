package io.batchexecutor.task;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The metrics a Prometheus server scrapes, with a client's token. */
@ServiceTest
class TaskMetricsTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  @Test
  void tasksAreCountedByStatusForTheOperatorsScraper() {
    Api api = new Api(port);
    api.post("/api/v1/tasks", Tasks.add().build());
    api.post("/api/v1/tasks", Tasks.add().build());
    long queued =
        jdbc.sql("SELECT count(*) FROM task WHERE status = 'QUEUED'").query(Long.class).single();

    Api.Response scraped = api.as(Api.OPERATOR).get("/actuator/prometheus");

    assertThat(scraped.status()).as(scraped.text()).isEqualTo(200);
    assertThat(gauge(scraped.text(), "QUEUED")).isEqualTo(queued).isGreaterThanOrEqualTo(2);
    assertThat(gauge(scraped.text(), "RUNNING")).isZero();
    assertThat(api.as(null).get("/actuator/prometheus").status()).isEqualTo(401);
    // every client's counts are the operator's to read, not a client's
    assertProblem(api.get("/actuator/prometheus"), 403, "forbidden");
    assertProblem(api.as(Api.INTRUDER).get("/actuator/prometheus"), 403, "forbidden");
  }

  private static long gauge(String exposition, String status) {
    Matcher m =
        Pattern.compile(
                "^batch_executor_tasks\\{[^}]*status=\"" + status + "\"[^}]*} ([0-9.eE+]+)$",
                Pattern.MULTILINE)
            .matcher(exposition);
    assertThat(m.find()).as("batch_executor_tasks for %s in%n%s", status, exposition).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
