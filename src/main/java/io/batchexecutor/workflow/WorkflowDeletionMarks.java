package io.batchexecutor.workflow;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The mark a deletion sets on its workflow before it deletes anything ({@code
 * workflow.deleting_since}), and the lock a re-run holds on the run it reuses from while it stores
 * its tasks. The mark's update waits for every re-run holding that lock and a re-run taking it
 * waits for the mark, so a re-run's references to the earlier run's results are either committed
 * before the mark (and the deletion, which counts references only after its mark is committed,
 * keeps those objects) or the re-run sees the mark (or the run gone) and is refused.
 */
@Repository
public class WorkflowDeletionMarks {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  public WorkflowDeletionMarks(JdbcClient jdbc, TransactionTemplate tx) {
    this.jdbc = jdbc;
    this.tx = tx;
  }

  /**
   * Marks the workflow as being deleted, if every task of it is final (a mark set before stays).
   *
   * @return whether it is marked now; false when it is gone or a task can still change
   */
  public boolean mark(UUID workflow, Instant at) {
    return jdbc.sql(
                """
                UPDATE workflow w SET deleting_since = coalesce(deleting_since, :at)
                WHERE id = :id AND NOT EXISTS (
                  SELECT 1 FROM task t WHERE t.workflow_id = w.id AND t.status NOT IN %s)
                """
                    .formatted(io.batchexecutor.task.TaskStatus.FINAL_SQL))
            .param("at", at.atOffset(ZoneOffset.UTC))
            .param("id", workflow)
            .update()
        > 0;
  }

  /**
   * Runs {@code store} (which stores a re-run of {@code earlier}) in one transaction that first
   * locks {@code earlier}'s row against a deletion's mark, until it commits.
   *
   * @throws WorkflowNotFoundException when {@code earlier} is gone
   * @throws WorkflowBeingDeletedException when its deletion has begun
   */
  public <T> T whileReusing(UUID earlier, Supplier<T> store) {
    return tx.execute(
        status -> {
          Optional<Boolean> deleting =
              jdbc.sql(
                      """
                      SELECT deleting_since IS NOT NULL AS deleting FROM workflow
                      WHERE id = :id FOR SHARE
                      """)
                  .param("id", earlier)
                  .query(Boolean.class)
                  .optional();
          if (deleting.isEmpty()) {
            throw new WorkflowNotFoundException(earlier);
          }
          if (deleting.get()) {
            throw new WorkflowBeingDeletedException(earlier);
          }
          return store.get();
        });
  }
}
