-- The claim takes due tasks oldest first (next_run_at, then created_at). Indexed on both, it reads
-- them in that order and stops at its limit; on next_run_at alone, tasks that came due at the same
-- instant (a workflow's tasks, a bulk submission) were all fetched and sorted at every claim.
CREATE INDEX task_due_in_order ON task (next_run_at, created_at)
    WHERE lease_owner IS NULL AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
DROP INDEX task_due;
