package io.batchexecutor.task;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * How many tasks of a client are not yet ended (WAITING to RUNNING), and the check that keeps them
 * within its {@code max-unfinished-tasks}. The count reads the index on (owner, status) for each
 * unfinished status, so it costs in proportion to the client's unfinished tasks (at most its limit,
 * give or take a submission), never its finished ones.
 *
 * <p>The check is exact across instances: in the insert's transaction it takes a transaction-level
 * advisory lock of its own for the client, then counts and inserts; the next submission of the same
 * client, on any instance, counts only after this one committed. Submissions of one client are so
 * stored one after another (each holds the lock for a count and an insert); other clients' are not
 * held up. Tasks that end meanwhile only make the count smaller.
 */
@Repository
public class UnfinishedTasks {

  /** The first key of the advisory locks taken here; the second is the hash of the client. */
  static final int LOCK_CLASS = 0x5155_4f54; // "QUOT"

  /** The statuses of a task not yet ended, as SQL literals. */
  static final String UNFINISHED_SQL =
      Arrays.stream(TaskStatus.values())
          .filter(s -> !s.isFinal())
          .map(s -> "'" + s.name() + "'")
          .collect(Collectors.joining(",", "(", ")"));

  private final JdbcClient jdbc;

  UnfinishedTasks(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** How many tasks of {@code owner}'s are not yet ended. */
  public long of(String owner) {
    return jdbc.sql(
            "SELECT count(*) FROM task WHERE owner = :owner AND status IN " + UNFINISHED_SQL)
        .param("owner", owner)
        .query(Long.class)
        .single();
  }

  /**
   * How many tasks each of {@code owners} has not yet ended, by name: one statement that reads the
   * index for each owner (never the whole table).
   */
  public Map<String, Long> of(Collection<String> owners) {
    Map<String, Long> counts = new LinkedHashMap<>();
    jdbc.sql(
            "SELECT o.owner, (SELECT count(*) FROM task t WHERE t.owner = o.owner AND t.status IN "
                + UNFINISHED_SQL
                + ") AS n FROM unnest(CAST(:owners AS text[])) AS o(owner) ORDER BY o.owner")
        .param("owners", owners.toArray(String[]::new))
        .query((RowCallbackHandler) rs -> counts.put(rs.getString("owner"), rs.getLong("n")));
    return counts;
  }

  /**
   * In the caller's transaction: takes {@code owner}'s lock (held until the transaction ends) and
   * refuses, with {@link SubmissionRefusedException#tooManyUnfinished}, {@code adding} more tasks
   * when they would pass {@code max}.
   */
  public void reserve(String owner, int adding, int max) {
    jdbc.sql("SELECT pg_advisory_xact_lock(:class, hashtext(:owner))")
        .param("class", LOCK_CLASS)
        .param("owner", owner)
        .query()
        .listOfRows();
    long unfinished = of(owner);
    if (unfinished + adding > max) {
      throw SubmissionRefusedException.tooManyUnfinished(max, unfinished, adding);
    }
  }
}
