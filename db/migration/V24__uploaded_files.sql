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
