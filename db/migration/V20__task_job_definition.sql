-- The AWS Batch clean-up asks, for each revision of the service's job-definition families, whether
-- a task still refers to it (unfinished, or finished recently): one index look-up per revision
-- instead of a scan of every task.
CREATE INDEX IF NOT EXISTS task_job_definition ON task (job_definition_arn, finished_at)
    WHERE job_definition_arn IS NOT NULL;
