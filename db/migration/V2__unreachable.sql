-- A step that finds the Docker engine or an AWS endpoint unreachable waits and tries again; the task
-- remembers since when and how often, so that a not-yet-launched task can give up after a budget.
ALTER TABLE task
    ADD COLUMN unreachable_since timestamptz,
    ADD COLUMN unreachable_tries integer NOT NULL DEFAULT 0;
