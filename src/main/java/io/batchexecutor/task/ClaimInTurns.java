package io.batchexecutor.task;

/**
 * The statement that claims due tasks, serving clients in turn. Taken oldest first across all
 * clients, a client that queued ten thousand tasks would make every other client's one task wait
 * behind all of them; instead each claim hands its places out in turns:
 *
 * <ol>
 *   <li>{@code owners}: the distinct owners with unleased, unfinished tasks, walked along {@code
 *       task_due_by_owner} one probe per owner (a loose index scan), never reading their tasks;
 *   <li>{@code due}: for each owner, how many of its tasks of the claimed backends are leased now
 *       (in flight; counted in {@code task_leased_by_owner}) and its oldest due tasks ({@code LIMIT
 *       :limit}, locked {@code FOR UPDATE SKIP LOCKED}), each with its turn: the owner's leases
 *       plus the task's place among the owner's due tasks;
 *   <li>{@code claimed}: the {@code :limit} tasks with the lowest turns, leased in the same
 *       statement, each with a {@code CLAIMED} event. Owners on the same turn go in an order drawn
 *       at random for each claim: by the age of their tasks, a client that queued many long ago
 *       would win every tie, and ties are the rule where tasks are not leased for long (on AWS
 *       Batch a claimed task is submitted and let go at once).
 * </ol>
 *
 * So one claim reads at most {@code :limit} due tasks per owner, however many one owner queued; a
 * client with nothing in flight comes before one with many, and the places of a batch go round the
 * clients with due work one at a time. The rows an owner's subquery locked but the claim did not
 * take are let go when the statement's transaction commits, a moment later.
 *
 * <p>An owner's due tasks are asked for as {@code owner >= o.owner AND owner <= o.owner}, ordered
 * by owner first: the same rows as {@code owner = o.owner}, but an order only {@code
 * task_due_by_owner} gives without a sort (an equality would make the owner a constant and drop it
 * from the order, and {@code task_due_in_order} would give the rest). With sorts off ({@link
 * WorkQueue#planClaim}) the claim then walks that index whatever the statistics say; with an
 * equality, statistics taken when one other client filled the table made the planner walk every due
 * task of every client in {@code task_due_in_order} looking for the owner's.
 *
 * <p>Its parameters: {@code :owner} (the instance), {@code :until}, {@code :now}, {@code :limit},
 * {@code :backends} (the backends whose tasks this instance runs), {@code :watchedBackend} and
 * {@code :watchedStatuses} (the tasks a backend's own poller watches, see {@link WatchedTasks}).
 */
final class ClaimInTurns {

  /** A task whose job its backend's own poller watches (see {@link WatchedTasks}). */
  static final String WATCHED =
      """
      (backend = :watchedBackend AND batch_job_id IS NOT NULL AND cancel_requested_at IS NULL
       AND status = ANY(:watchedStatuses))""";

  static final String SQL =
      """
      WITH RECURSIVE owners AS (
          (SELECT owner FROM task
           WHERE lease_owner IS NULL AND %1$s
           ORDER BY owner, next_run_at, created_at
           LIMIT 1)
          UNION ALL
          SELECT (SELECT t.owner FROM task t
                  WHERE t.owner > o.owner AND t.lease_owner IS NULL AND t.%1$s
                  ORDER BY t.owner, t.next_run_at, t.created_at
                  LIMIT 1)
          FROM owners o WHERE o.owner IS NOT NULL),
      due AS (
          SELECT d.id, d.next_run_at, d.created_at, l.draw,
                 l.leases
                   + row_number() OVER (PARTITION BY o.owner ORDER BY d.next_run_at, d.created_at)
                   AS turn
          FROM owners o
          CROSS JOIN LATERAL (
              SELECT count(*) AS leases, random() AS draw FROM task
              WHERE owner = o.owner AND lease_owner IS NOT NULL AND backend = ANY(:backends)) l
          CROSS JOIN LATERAL (
              SELECT id, next_run_at, created_at FROM task
              WHERE owner >= o.owner AND owner <= o.owner AND lease_owner IS NULL
                AND next_run_at <= :now
                AND %1$s AND status <> 'WAITING' AND backend = ANY(:backends) AND NOT %2$s
              ORDER BY owner, next_run_at, created_at
              LIMIT :limit
              FOR UPDATE SKIP LOCKED) d
          WHERE o.owner IS NOT NULL),
      claimed AS (
          UPDATE task SET lease_owner = :owner, lease_expires_at = :until, version = version + 1
          WHERE id = ANY(ARRAY(SELECT id FROM due
                               ORDER BY turn, draw, next_run_at, created_at
                               LIMIT :limit))
          RETURNING *),
      logged AS (
          INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
          SELECT id, :now, 'CLAIMED', status, status, 'claimed by ' || :owner,
                 jsonb_build_object('instance', CAST(:owner AS text))
          FROM claimed)
      SELECT * FROM claimed
      """
          .formatted(TaskRows.NOT_FINAL, WATCHED);

  private ClaimInTurns() {}
}
