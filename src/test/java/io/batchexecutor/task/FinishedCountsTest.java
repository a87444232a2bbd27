package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The finished totals are kept by transaction: two transactions of one client that each end several
 * tasks, interleaved, neither deadlock nor lose a count. The ids are chosen so that counter rows
 * picked by task id would be taken in opposite orders (a: shard 0, b: 1 in the first; c: 1, d: 0 in
 * the second), which deadlocks.
 */
@ServiceTest
class FinishedCountsTest {

  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired TaskQueries queries;

  @Test
  void twoTransactionsEndingTasksOfOneClientInterleavedNeitherDeadlockNorLoseACount()
      throws Exception {
    String owner = "dora-" + UUID.randomUUID();
    UUID a = id(0x00);
    UUID b = id(0x01);
    UUID c = id(0x09);
    UUID d = id(0x08);
    for (UUID id : List.of(a, b, c, d)) {
      jdbc.sql(
              """
              INSERT INTO task (id, owner, status, spec, settings, backend, next_run_at,
                                created_at, updated_at)
              VALUES (:id, :owner, 'RUNNING', '{}', '{}', 'none', timestamptz '2026-01-01',
                      timestamptz '2026-01-01', timestamptz '2026-01-01')
              """)
          .param("id", id)
          .param("owner", owner)
          .update();
    }
    ExecutorService first = Executors.newSingleThreadExecutor();
    ExecutorService second = Executors.newSingleThreadExecutor();
    try (Connection one = dataSource.getConnection();
        Connection two = dataSource.getConnection()) {
      one.setAutoCommit(false);
      two.setAutoCommit(false);
      first.submit(() -> cancel(one, a)).get(10, TimeUnit.SECONDS);
      Future<?> c1 = second.submit(() -> cancel(two, c));
      try {
        c1.get(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException sameShard) {
        // the second waits for the first's counter row: the first goes on alone
      }
      Future<?> b1 = first.submit(() -> cancel(one, b));
      Future<?> d1 = second.submit(() -> cancel(two, d));
      b1.get(10, TimeUnit.SECONDS);
      first.submit(() -> commit(one)).get(10, TimeUnit.SECONDS);
      c1.get(10, TimeUnit.SECONDS);
      d1.get(10, TimeUnit.SECONDS);
      second.submit(() -> commit(two)).get(10, TimeUnit.SECONDS);
    } finally {
      first.shutdownNow();
      second.shutdownNow();
    }
    assertThat(queries.countByStatus(owner))
        .containsExactly(java.util.Map.entry(TaskStatus.CANCELLED, 4L));
  }

  private static UUID id(int last) {
    UUID random = UUID.randomUUID();
    return new UUID(
        random.getMostSignificantBits(), (random.getLeastSignificantBits() & ~0xFFL) | last);
  }

  private static Void cancel(Connection connection, UUID id) throws Exception {
    try (PreparedStatement update =
        connection.prepareStatement("UPDATE task SET status = 'CANCELLED' WHERE id = ?")) {
      update.setObject(1, id);
      update.executeUpdate();
    }
    return null;
  }

  private static Void commit(Connection connection) throws Exception {
    connection.commit();
    return null;
  }
}
