-- Tasks stored before payload modes existed had their call baked into their image: they finish as
-- they were submitted. A spec without an image ("image": null or absent) gets one naming the mode.
UPDATE task
SET spec = jsonb_set(
        spec,
        '{image}',
        CASE WHEN jsonb_typeof(spec -> 'image') = 'object' THEN spec -> 'image' ELSE '{}'::jsonb END
            || '{"payload": "baked"}'::jsonb)
WHERE coalesce(jsonb_typeof(spec -> 'image'), 'null') <> 'object'
   OR NOT (spec -> 'image' ? 'payload');
