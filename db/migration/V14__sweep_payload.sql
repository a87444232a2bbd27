-- How a sweep's payload.json carries the sweep, decided when the task is accepted.
--
-- sweep_payload: 'axes' — the sweep's lists as the request gave them ({"sweep": {"product": ...}}),
-- each run computing its own combination from its index. NULL — every combination listed
-- ({"sweep": [...]}), the form of sweeps accepted before this column existed: their baked image,
-- staged payload and the digest the runner checks were made from those bytes, so the service keeps
-- making them. An instance of an earlier version that inserts during a rolling upgrade leaves it
-- NULL too, and its sweeps run in the form it knows. NULL for a task without a sweep.
ALTER TABLE task ADD COLUMN sweep_payload text;
