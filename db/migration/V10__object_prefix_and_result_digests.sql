-- Each client's objects under a prefix of its own, and the digests of the results the service
-- collected.
--
-- object_prefix: where the task's objects are kept, '<prefix>/<client>/<task id>/'. A task stored
-- before keeps NULL, which means the layout it was written under, 'batch-executor/tasks/<task id>/'
-- (so its payload, result and logs stay readable and deletable where they are; nothing is moved).
-- An instance of an earlier version inserting during a rolling upgrade leaves it NULL too, and
-- writes that layout, so every instance agrees on where such a task's objects are.
--
-- result_digests: {"result.json": "<sha256 hex>", "result.pickle": "<sha256 hex>"} of the result
-- files as the service collected them; NULL before a result is collected, and for tasks that ended
-- before digests were kept (their results are served unchecked).
ALTER TABLE task ADD COLUMN object_prefix text;
ALTER TABLE task ADD COLUMN result_digests jsonb;
