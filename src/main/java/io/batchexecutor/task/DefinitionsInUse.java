package io.batchexecutor.task;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Which job definition revisions tasks refer to, for the AWS Batch clean-up: those an unfinished
 * task, or one finished after a given moment, refers to must stay; those only older tasks refer to
 * may go.
 */
@Repository
public class DefinitionsInUse {

  private final JdbcClient jdbc;

  DefinitionsInUse(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Of {@code arns}, those some task refers to, however long ago it ended. */
  public Set<String> referenced(Collection<String> arns) {
    if (arns.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql(
                """
                SELECT DISTINCT job_definition_arn FROM task
                WHERE job_definition_arn = ANY(:arns)
                """)
            .param("arns", arns.toArray(String[]::new))
            .query(String.class)
            .list());
  }

  /** Of {@code arns}, those that a task not ended, or one ended after {@code since}, refers to. */
  public Set<String> inUseSince(Collection<String> arns, Instant since) {
    if (arns.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql(
                """
                SELECT DISTINCT job_definition_arn FROM task
                WHERE job_definition_arn = ANY(:arns)
                  AND (finished_at IS NULL OR finished_at > :since)
                """)
            .param("arns", arns.toArray(String[]::new))
            .param("since", Timestamp.from(since))
            .query(String.class)
            .list());
  }
}
