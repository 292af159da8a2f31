-- v7: the server's clock in whole seconds is rounded down, as the client's
-- is. v1 rounded to the nearest second, so a key created or renewed in the
-- second half of a second froze up to half a second beyond "90 days from
-- now" as a client reading its own clock a moment later saw it: a freeze
-- date further ahead than any renewal gives, which counts as frozen.
CREATE OR REPLACE FUNCTION _now() RETURNS bigint LANGUAGE sql STABLE
SET search_path = pg_catalog, @schema@ AS $$
    SELECT coalesce(
        CASE WHEN EXISTS (SELECT 1 FROM setting WHERE name = 'test_clock')
             THEN nullif(current_setting('intergiro_keys.now', true), '')::bigint END,
        floor(extract(epoch FROM statement_timestamp()))::bigint)
$$;
