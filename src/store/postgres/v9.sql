-- v9: renew_keys refuses a key retiring after a rotation, in its own
-- transaction with the rows locked, so that a rotation finishing after the
-- client looked cannot let a renewal through. IK006: DETAIL is
-- `<id> <retires_at> [<replaced_by>]`. Otherwise as in v5.
CREATE OR REPLACE FUNCTION renew_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint, previous_freezes_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    v_now bigint := _now();
    unknown text;
    k api_key%ROWTYPE;
BEGIN
    PERFORM _require('renew');
    PERFORM 1 FROM api_key a WHERE a.id = ANY (p_ids) ORDER BY a.id FOR UPDATE;
    SELECT string_agg(DISTINCT u, ',') INTO unknown FROM unnest(p_ids) AS u
    WHERE NOT EXISTS (SELECT 1 FROM api_key a WHERE a.id = u
                      AND (a.retires_at IS NULL OR a.retires_at > v_now));
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'no key with ID %; nothing was changed', unknown
            USING ERRCODE = 'IK001', DETAIL = unknown;
    END IF;
    -- The first retiring key in the order given.
    SELECT a.* INTO k FROM api_key a
    JOIN unnest(p_ids) WITH ORDINALITY AS t (u, o) ON t.u = a.id
    WHERE a.issued AND a.retires_at > v_now
    ORDER BY t.o LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'key % is retiring after a rotation, so it is not renewed; nothing was changed', k.id
            USING ERRCODE = 'IK006',
                  DETAIL = k.id || ' ' || k.retires_at || coalesce(' ' || k.replaced_by, '');
    END IF;
    FOR k IN SELECT a.* FROM api_key a
             JOIN (SELECT DISTINCT ON (u) u, o FROM unnest(p_ids) WITH ORDINALITY AS t (u, o) ORDER BY u, o) AS wanted
               ON wanted.u = a.id
             ORDER BY wanted.o
    LOOP
        UPDATE api_key a SET renewed_at = v_now, freezes_at = v_now + 90 * 86400 WHERE a.id = k.id;
        PERFORM _audit('renew', k.id, 'ok',
                       'freezes at ' || to_char(to_timestamp(v_now + 90 * 86400) AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := v_now; freezes_at := v_now + 90 * 86400; issued := k.issued;
        retires_at := k.retires_at; replaced_by := k.replaced_by; last_used_at := k.last_used_at;
        previous_freezes_at := k.freezes_at;
        RETURN NEXT;
    END LOOP;
END $$;
