-- Workflows: tasks submitted together whose results feed each other. A task names the tasks it
-- depends on (depends_on: {"<workflow key>": "<task id>"}); it WAITS until they all SUCCEEDED (or,
-- on AWS Batch, is submitted with dependsOn so that Batch holds it), and is CANCELLED, naming the
-- cause, when one of them fails or is cancelled.

CREATE TABLE workflow (
    id                  uuid        PRIMARY KEY,
    owner               text        NOT NULL,
    name                text,
    created_at          timestamptz NOT NULL,
    cancel_requested_at timestamptz
);

CREATE INDEX workflow_owner_created ON workflow (owner, created_at DESC, id DESC);

ALTER TABLE task
    ADD COLUMN workflow_id  uuid REFERENCES workflow (id) ON DELETE CASCADE,
    ADD COLUMN workflow_key text,
    ADD COLUMN depends_on   jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN cancel_reason text,
    DROP CONSTRAINT task_status_known,
    ADD CONSTRAINT task_status_known CHECK (status IN ('WAITING', 'QUEUED', 'BUILDING', 'PUSHING',
        'REGISTERING', 'SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED',
        'FAILED', 'CANCELLED'));

CREATE INDEX task_workflow ON task (workflow_id) WHERE workflow_id IS NOT NULL;
