-- Finished tasks older than batch-executor.retention.keep-finished are deleted with what they
-- stored: standalone ones by their own end, workflow tasks with their workflow.
CREATE INDEX task_finished_standalone ON task (finished_at)
    WHERE finished_at IS NOT NULL AND workflow_id IS NULL;
