package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Paging through a client's tasks with {@code cursor} while the client goes on submitting: every
 * task that existed when the paging began is listed exactly once, newest first, and no task twice.
 */
@ServiceTest
class TaskCursorPagingTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  @Test
  void noTaskIsSkippedOrRepeatedWhileTasksAreAdded() throws Exception {
    Api api = new Api(port);
    // 1,000 tasks, ten at each instant, so that the order within an instant (the id) counts too
    jdbc.sql(
            """
            INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                              created_at, updated_at)
            SELECT gen_random_uuid(), 'tester', 'paged-' || i, 'QUEUED', '{}', '{}', 'none', t, t, t
            FROM generate_series(1, 1000) AS i,
                 LATERAL (SELECT timestamptz '2026-01-01' + (i / 10) * interval '1 ms' AS t) at
            """)
        .update();
    Set<String> atStart =
        new HashSet<>(
            jdbc.sql("SELECT id::text FROM task WHERE owner = 'tester'")
                .query(String.class)
                .list());
    assertThat(atStart).hasSizeGreaterThanOrEqualTo(1000);

    AtomicBoolean paging = new AtomicBoolean(true);
    AtomicInteger added = new AtomicInteger();
    CompletableFuture<Void> submitter =
        CompletableFuture.runAsync(
            () -> {
              while (paging.get() && added.get() < 200) {
                assertThat(api.post("/api/v1/tasks", Tasks.add().build()).status()).isEqualTo(202);
                added.incrementAndGet();
              }
            });

    List<String> listed = new ArrayList<>();
    List<Instant> createdAt = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          api.get("/api/v1/tasks?size=37" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      for (JsonNode task : page.get("items")) {
        listed.add(task.get("id").asString());
        createdAt.add(Instant.parse(task.get("created_at").asString()));
      }
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
      pages++;
    } while (cursor != null);
    paging.set(false);
    submitter.get();

    assertThat(pages).isGreaterThan(27);
    assertThat(added.get()).as("tasks were added while paging").isPositive();
    assertThat(new HashSet<>(listed)).as("none listed twice").hasSize(listed.size());
    assertThat(listed).containsAll(atStart);
    for (int i = 1; i < createdAt.size(); i++) {
      assertThat(createdAt.get(i)).as("newest first").isBeforeOrEqualTo(createdAt.get(i - 1));
    }
    List<String> paged =
        listed.stream().filter(id -> atStart.contains(id)).toList(); // in the listed order
    List<String> expected =
        jdbc
            .sql(
                "SELECT id::text FROM task WHERE owner = 'tester' ORDER BY created_at DESC, id"
                    + " DESC")
            .query(String.class)
            .list()
            .stream()
            .filter(atStart::contains)
            .toList();
    assertThat(paged).containsExactlyElementsOf(expected);
  }
}
