-- Re-runs of a workflow, reusing the results of the tasks that are unchanged.
--
-- workflow.rerun_of: the run a re-run was made from (POST /api/v1/workflows/{id}/rerun); NULL for
-- a workflow submitted as such. No foreign key: deleting the earlier run keeps the link, which
-- then names a run that is gone.
--
-- task.reused_from: for a task born SUCCEEDED with the result of an earlier task, the task whose
-- objects hold that result (the one that ran, however many re-runs ago); its result_pointer and
-- result_digests are that task's. Deleting a task keeps its objects while another task names it
-- here; the last task to name it deletes them once the task itself is gone.
ALTER TABLE workflow ADD COLUMN rerun_of uuid;
CREATE INDEX workflow_rerun_of ON workflow (rerun_of) WHERE rerun_of IS NOT NULL;

ALTER TABLE task ADD COLUMN reused_from uuid;
CREATE INDEX task_reused_from ON task (reused_from) WHERE reused_from IS NOT NULL;
