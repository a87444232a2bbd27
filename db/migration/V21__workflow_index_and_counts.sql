-- Retention looks for expired workflows oldest first: a workflow whose every task ended before the
-- cutoff was created before it too, so the look walks this index from the oldest and stops at its
-- batch, reading the workflows it returns and the few old ones that are not done yet, never the
-- whole history.
CREATE INDEX IF NOT EXISTS workflow_created ON workflow (created_at, id);

-- How many workflows each client has, kept by triggers as task_finished_count keeps the finished
-- tasks (V15): the workflow list's total reads a client's few counter rows instead of counting its
-- workflows (up to 10,001 index entries on every page). Sharded 8 ways by the writing transaction,
-- so that workflows of one client accepted at once in different transactions rarely wait on one row.
CREATE TABLE workflow_count (
    owner text     NOT NULL,
    shard smallint NOT NULL,
    n     bigint   NOT NULL,
    PRIMARY KEY (owner, shard)
);

CREATE FUNCTION workflow_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO workflow_count AS c (owner, shard, n)
        SELECT owner, txid_current() % 8, count(*) FROM made GROUP BY 1 ORDER BY 1
        ON CONFLICT (owner, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        INSERT INTO workflow_count AS c (owner, shard, n)
        SELECT owner, txid_current() % 8, -count(*) FROM gone GROUP BY 1 ORDER BY 1
        ON CONFLICT (owner, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER workflow_count_insert AFTER INSERT ON workflow
    REFERENCING NEW TABLE AS made FOR EACH STATEMENT EXECUTE FUNCTION workflow_count_keep();
CREATE TRIGGER workflow_count_delete AFTER DELETE ON workflow
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION workflow_count_keep();

-- the workflows there are; the triggers above hold writes to workflow off until this commits
INSERT INTO workflow_count (owner, shard, n)
SELECT owner, get_byte(uuid_send(id), 15) % 8, count(*) FROM workflow GROUP BY 1, 2;
