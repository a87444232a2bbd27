-- workflow.deleting_since: set, in a statement of its own, when the deletion of a workflow (a
-- client's DELETE or retention) begins, before anything of it is deleted; NULL otherwise. A re-run
-- locks the run it reuses from (FOR SHARE) while it stores its tasks and refuses a run marked here,
-- and a deletion decides which shared objects to keep only after its mark is committed, counting
-- only the references of tasks whose workflow is not marked: so a re-run either commits its
-- references before the mark (and the deletion sees them) or sees the mark, and of two deletions
-- that share objects the later to decide sees both marks and deletes them.
ALTER TABLE workflow ADD COLUMN deleting_since timestamptz;
