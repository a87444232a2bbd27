-- A Batch job state-change event names a job by its id: the wake-up it causes finds the job's task
-- along this index instead of reading the task table. Only tasks that were handed over have one.
CREATE INDEX IF NOT EXISTS task_batch_job ON task (batch_job_id) WHERE batch_job_id IS NOT NULL;
