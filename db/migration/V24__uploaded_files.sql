-- Files a client uploaded for its tasks (POST /api/v1/files), one row per client and content: the
-- id is the SHA-256 of the bytes, the object is under the client's own prefix of the object store.
-- The rows are what a client's upload quota (batch-executor.files.max-bytes-per-client) counts.
CREATE TABLE uploaded_file (
    owner      text        NOT NULL,
    id         text        NOT NULL,
    size       bigint      NOT NULL,
    pointer    text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (owner, id)
);

-- a client's listing, newest first, read from an index in its order
CREATE INDEX uploaded_file_owner_created ON uploaded_file (owner, created_at DESC, id);

-- A task's copy of an upload, staged beside its payload when the task is prepared: counted against
-- its client's quota as long as the task is kept (it goes with the task's row, and its object with
-- the task's other objects).
CREATE TABLE staged_upload (
    task_id uuid   NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    id      text   NOT NULL,
    owner   text   NOT NULL,
    size    bigint NOT NULL,
    PRIMARY KEY (task_id, id)
);

-- The bytes each client keeps, its uploads and its tasks' copies of them: what its quota counts,
-- kept by the triggers below so that a check reads one row, however many uploads and tasks it has.
CREATE TABLE upload_usage (
    owner text   PRIMARY KEY,
    bytes bigint NOT NULL
);

-- once per statement, the rows summed up (a deletion of many tasks removes many copies at once);
-- the rows taken in one order, so that two statements never wait on each other in a cycle
CREATE FUNCTION upload_usage_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO upload_usage AS u (owner, bytes)
    SELECT owner, sum(size) FROM added GROUP BY owner ORDER BY owner
    ON CONFLICT (owner) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes;
    RETURN NULL;
END
$$;

CREATE FUNCTION upload_usage_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO upload_usage AS u (owner, bytes)
    SELECT owner, -sum(size) FROM gone GROUP BY owner ORDER BY owner
    ON CONFLICT (owner) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes;
    RETURN NULL;
END
$$;

CREATE TRIGGER uploaded_file_usage_insert AFTER INSERT ON uploaded_file
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION upload_usage_add();
CREATE TRIGGER uploaded_file_usage_delete AFTER DELETE ON uploaded_file
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION upload_usage_remove();
CREATE TRIGGER staged_upload_usage_insert AFTER INSERT ON staged_upload
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION upload_usage_add();
CREATE TRIGGER staged_upload_usage_delete AFTER DELETE ON staged_upload
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION upload_usage_remove();
