-- The claim serves clients in turn (task/ClaimInTurns). It walks the distinct owners with unleased,
-- unfinished tasks (one probe of task_due_by_owner per owner), counts each owner's leased tasks in
-- task_leased_by_owner, and takes each owner's oldest due tasks from task_due_by_owner: a client
-- with many queued tasks costs a claim a few rows, not all of them, whatever the statistics say.
CREATE INDEX task_due_by_owner ON task (owner, next_run_at, created_at)
    WHERE lease_owner IS NULL AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE INDEX task_leased_by_owner ON task (owner, backend) WHERE lease_owner IS NOT NULL;
