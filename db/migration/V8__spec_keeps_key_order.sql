-- A task's spec is kept as the text the service wrote (json), not as jsonb, which orders an object's
-- keys shorter first: a sweep's names must stay in the order they were given, since that order says
-- which combination each run is (the last name varies fastest). Specs stored before keep the order
-- jsonb gave them, which is the order their runs used.
ALTER TABLE task ALTER COLUMN spec TYPE json USING spec::json;
