-- Counts by status that do not grow with history. A client's unfinished tasks are counted from the
-- partial index below (its size is what is in flight, not what ever ran); its finished tasks are
-- kept as totals in task_finished_count, per client, final status and shard. The totals are kept
-- by triggers on task: a status change into or out of a final status, an insert of a final task
-- and the deletion of final ones (a client's DELETE, retention, a workflow's cascade) each adjust
-- them in the same statement that changed the task, so they are never apart from the rows. The
-- owner of a task never changes. The accept path (an insert of an unfinished task) changes no
-- counter row.

-- shared with whatever else counts a client's unfinished tasks (quotas, usage)
CREATE INDEX IF NOT EXISTS task_unfinished_owner_status ON task (owner, status)
    WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

-- shard: one of 8 rows per client and status, chosen by the writing transaction, so that tasks of
-- one client ending at the same moment in different transactions rarely wait on one another's row,
-- and a transaction that ends several tasks (a workflow's cascade) changes one row per status:
-- transactions never take two counter rows of one status in different orders, so never deadlock
CREATE TABLE task_finished_count (
    owner  text     NOT NULL,
    status text     NOT NULL,
    shard  smallint NOT NULL,
    n      bigint   NOT NULL,
    PRIMARY KEY (owner, status, shard),
    CONSTRAINT task_finished_count_final CHECK (status IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
);

CREATE FUNCTION task_finished_count_add(p_owner text, p_status text, p_delta bigint)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO task_finished_count AS c (owner, status, shard, n)
    VALUES (p_owner, p_status, txid_current() % 8, p_delta)
    ON CONFLICT (owner, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n
$$;

-- an insert or a status change: one row at a time (a status change is one task, or a workflow's
-- tasks; an accepted task is unfinished and fires nothing)
CREATE FUNCTION task_finished_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        PERFORM task_finished_count_add(OLD.owner, OLD.status, -1);
    END IF;
    IF NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        PERFORM task_finished_count_add(NEW.owner, NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$;

-- a deletion: once per statement, the deleted rows summed up, since a deletion is often many
-- tasks at once (retention, a workflow with its tasks), and a counter row changed once per task
-- in one transaction would grow a chain of versions that each change walks again
CREATE FUNCTION task_finished_count_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_finished_count AS c (owner, status, shard, n)
    SELECT owner, status, txid_current() % 8, -count(*)
    FROM gone WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
    GROUP BY 1, 2
    ORDER BY 1, 2 -- rows taken in one order: two deletions never wait on each other in a cycle
    ON CONFLICT (owner, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_finished_count_insert AFTER INSERT ON task FOR EACH ROW
    WHEN (NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
    EXECUTE FUNCTION task_finished_count_keep();
CREATE TRIGGER task_finished_count_update AFTER UPDATE OF status ON task FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
        AND (OLD.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
            OR NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')))
    EXECUTE FUNCTION task_finished_count_keep();
CREATE TRIGGER task_finished_count_delete AFTER DELETE ON task
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION task_finished_count_forget();

-- the tasks already final; the triggers above hold writes to task off until this commits
INSERT INTO task_finished_count (owner, status, shard, n)
SELECT owner, status, get_byte(uuid_send(id), 15) % 8, count(*)
FROM task WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
GROUP BY 1, 2, 3;
