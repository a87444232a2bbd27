-- A retried workflow submission with the same Idempotency-Key returns the first workflow.
ALTER TABLE workflow
    ADD COLUMN idempotency_key text,
    ADD COLUMN request_hash    text,
    ADD CONSTRAINT workflow_idempotency_key UNIQUE (owner, idempotency_key);
