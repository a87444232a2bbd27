-- Retention looks for expired workflows oldest first: a workflow whose every task ended before the
-- cutoff was created before it too, so the look walks this index from the oldest and stops at its
-- batch, reading the workflows it returns and the few old ones that are not done yet, never the
-- whole history.
CREATE INDEX IF NOT EXISTS workflow_created ON workflow (created_at, id);
