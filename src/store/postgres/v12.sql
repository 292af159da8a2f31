-- v12: a rotation's grace is at most 7 days, as `rotate --grace` allows. A
-- retiring key verifies whatever its freeze date, and v3's finish_rotation
-- took any grace its caller gave: an operator calling it directly could
-- keep a rotated-out key working for years. Otherwise as v3's.
CREATE OR REPLACE FUNCTION finish_rotation(p_old text, p_new text, p_grace bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    v_retires bigint := _now() + least(greatest(p_grace, 0), 7 * 86400);
BEGIN
    PERFORM _require('create');
    PERFORM _require('delete');
    UPDATE api_key SET issued = true WHERE id = p_new;
    UPDATE api_key SET retires_at = v_retires WHERE id = p_old AND replaced_by = p_new;
    IF FOUND THEN
        PERFORM _audit('rotate', p_old, 'ok',
                       'replaced by ' || p_new || '; retires at '
                       || to_char(to_timestamp(v_retires) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
    END IF;
END $$;
