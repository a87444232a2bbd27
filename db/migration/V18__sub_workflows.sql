-- A workflow task whose function returned a sub-workflow WAITS for that sub-workflow's tasks (its
-- depends_on then lists them too); this is the one of them whose result becomes its value. Null for
-- every other task.
ALTER TABLE task ADD COLUMN sub_workflow_output uuid;
