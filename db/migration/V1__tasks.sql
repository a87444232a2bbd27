-- Tasks and their history. PostgreSQL is the only coordinator between service instances:
-- work is claimed with FOR UPDATE SKIP LOCKED, held with a lease, and every write is version-checked.

CREATE TABLE task (
    id                  uuid        PRIMARY KEY,
    owner               text        NOT NULL,
    name                text,
    status              text        NOT NULL,
    status_reason       text,
    spec                jsonb       NOT NULL,   -- function source and name, args, kwargs, image
    settings            jsonb       NOT NULL,   -- the effective executor settings
    backend             text        NOT NULL,   -- none | local | awsbatch
    image_ref           text,
    job_definition_arn  text,
    batch_job_id        text,
    container_id        text,
    log_stream_name     text,
    attempts            integer     NOT NULL DEFAULT 0,
    exit_code           integer,
    result_pointer      text,
    logs_pointer        text,
    error               jsonb,                  -- {type, message, traceback}
    idempotency_key     text,
    request_hash        text,
    cancel_requested_at timestamptz,
    next_run_at         timestamptz NOT NULL,
    lease_owner         text,
    lease_expires_at    timestamptz,
    version             bigint      NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    CONSTRAINT task_status_known CHECK (status IN ('QUEUED', 'BUILDING', 'PUSHING', 'REGISTERING',
        'SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    CONSTRAINT task_idempotency_key UNIQUE (owner, idempotency_key)
);

-- what the claim looks for: unleased, unfinished, due
CREATE INDEX task_due ON task (next_run_at)
    WHERE lease_owner IS NULL AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
-- what the reaper looks for
CREATE INDEX task_leased ON task (lease_expires_at) WHERE lease_owner IS NOT NULL;
-- listings, newest first
CREATE INDEX task_owner_created ON task (owner, created_at DESC, id DESC);
CREATE INDEX task_owner_status_created ON task (owner, status, created_at DESC, id DESC);

CREATE TABLE task_event (
    id          bigserial   PRIMARY KEY,
    task_id     uuid        NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,  -- STATUS for a change of status, else what happened
    from_status text,
    to_status   text,
    reason      text,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX task_event_task ON task_event (task_id, id);
