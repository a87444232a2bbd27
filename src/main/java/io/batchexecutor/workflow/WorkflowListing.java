package io.batchexecutor.workflow;

import io.batchexecutor.task.PageCursor;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * An owner's workflows a page at a time, newest first ({@code created_at DESC, id DESC}, read from
 * {@code workflow_owner_created} in that order), each summed up from its tasks. A workflow's status
 * is worked out from its tasks, so no index serves a status filter: a filtered page looks at no
 * more than {@link #WINDOW} workflows and may hold fewer items than asked for, its cursor going on
 * where it stopped looking.
 */
@Repository
public class WorkflowListing {

  /** The most workflows one filtered page looks at. */
  public static final int WINDOW = 1000;

  /** Up to this many workflows are counted for a total. */
  public static final int COUNT_CAP = 10_000;

  /** A page: its workflows, and where the next one starts (null on the last). */
  public record Page(List<WorkflowSummary> items, PageCursor next) {}

  private final JdbcClient jdbc;

  public WorkflowListing(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Up to {@code size} of the owner's workflows after {@code after} (null: from the newest). */
  public Page page(String owner, WorkflowStatus status, PageCursor after, int size) {
    String newest =
        "SELECT * FROM workflow WHERE owner = :owner"
            + (after == null ? "" : " AND (created_at, id) < (:at, :id)")
            + " ORDER BY created_at DESC, id DESC LIMIT :window";
    String sql =
        "SELECT * FROM ("
            + WorkflowRepository.summariesOf(newest)
            + ") x"
            + (status == null ? "" : " WHERE summary_status = :status")
            + " ORDER BY created_at DESC, id DESC LIMIT :limit";
    JdbcClient.StatementSpec statement =
        after(jdbc.sql(sql), owner, after)
            .param("window", status == null ? size + 1 : WINDOW)
            .param("limit", size + 1);
    if (status != null) {
      statement = statement.param("status", status.name());
    }
    List<WorkflowSummary> found = statement.query(WorkflowRepository::summary).list();
    if (found.size() > size) {
      List<WorkflowSummary> shown = found.subList(0, size);
      return new Page(shown, cursorOf(shown.get(size - 1)));
    }
    if (status == null) {
      return new Page(found, null);
    }
    // fewer than asked for: every match in the window is here; go on after the window, if it was
    // full
    List<PageCursor> last =
        after(
                jdbc.sql(
                    "SELECT created_at, id FROM workflow WHERE owner = :owner"
                        + (after == null ? "" : " AND (created_at, id) < (:at, :id)")
                        + " ORDER BY created_at DESC, id DESC OFFSET :skip LIMIT 1"),
                owner,
                after)
            .param("skip", WINDOW - 1)
            .query(
                (rs, n) ->
                    new PageCursor(
                        rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject("id", java.util.UUID.class)))
            .list();
    return new Page(found, last.isEmpty() ? null : last.get(0));
  }

  /**
   * How many workflows one owner has, at most {@link #COUNT_CAP} + 1: from the client's counter
   * rows that triggers keep with every insert and deletion of workflows ({@code workflow_count},
   * V21), not from its workflows.
   */
  public long countUpToCap(String owner) {
    return Math.min(
        COUNT_CAP + 1L,
        jdbc.sql("SELECT coalesce(sum(n), 0) FROM workflow_count WHERE owner = :owner")
            .param("owner", owner)
            .query(Long.class)
            .single());
  }

  /**
   * One page by number (the deprecated {@code page}): skips {@code offset} workflows of the status,
   * so callers bound it. With a status it looks among the newest {@code offset + size} + {@link
   * #WINDOW} workflows only, so that a status few workflows have does not read them all.
   */
  public List<WorkflowSummary> skipping(
      String owner, WorkflowStatus status, long offset, int size) {
    String sql =
        "SELECT * FROM ("
            + WorkflowRepository.summariesOf(
                "SELECT * FROM workflow WHERE owner = :owner"
                    + " ORDER BY created_at DESC, id DESC LIMIT :examine")
            + ") x"
            + (status == null ? "" : " WHERE summary_status = :status")
            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset";
    JdbcClient.StatementSpec statement =
        jdbc.sql(sql)
            .param("owner", owner)
            .param("limit", size)
            .param("offset", offset)
            .param("examine", offset + size + (status == null ? 0 : WINDOW));
    if (status != null) {
      statement = statement.param("status", status.name());
    }
    return statement.query(WorkflowRepository::summary).list();
  }

  private static PageCursor cursorOf(WorkflowSummary summary) {
    return new PageCursor(summary.workflow().createdAt(), summary.workflow().id());
  }

  private static JdbcClient.StatementSpec after(
      JdbcClient.StatementSpec statement, String owner, PageCursor after) {
    statement = statement.param("owner", owner);
    return after == null
        ? statement
        : statement.param("at", after.createdAt().atOffset(ZoneOffset.UTC)).param("id", after.id());
  }
}
