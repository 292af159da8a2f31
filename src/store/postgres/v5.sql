-- v5: renew_keys, delete_keys and revoke_found return whole keys,
-- retirement and last use included, as list_keys does, so that a retiring
-- key renewed or deleted is shown as retiring. Otherwise as in v3
-- (revoke_found as in v1).
DROP FUNCTION renew_keys(text[]);
CREATE FUNCTION renew_keys(p_ids text[])
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

DROP FUNCTION delete_keys(text[]);
CREATE FUNCTION delete_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    v_now bigint := _now();
    unknown text;
    k api_key%ROWTYPE;
BEGIN
    PERFORM _require('delete');
    PERFORM 1 FROM api_key a WHERE a.id = ANY (p_ids) ORDER BY a.id FOR UPDATE;
    SELECT string_agg(DISTINCT u, ',') INTO unknown FROM unnest(p_ids) AS u
    WHERE NOT EXISTS (SELECT 1 FROM api_key a WHERE a.id = u
                      AND (a.retires_at IS NULL OR a.retires_at > v_now));
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'no key with ID %; nothing was changed', unknown
            USING ERRCODE = 'IK001', DETAIL = unknown;
    END IF;
    FOR k IN SELECT a.* FROM api_key a
             JOIN (SELECT DISTINCT ON (u) u, o FROM unnest(p_ids) WITH ORDINALITY AS t (u, o) ORDER BY u, o) AS wanted
               ON wanted.u = a.id
             ORDER BY wanted.o
    LOOP
        DELETE FROM api_key a WHERE a.id = k.id;
        IF NOT k.issued THEN
            PERFORM _release_claim(k.id);
        END IF;
        PERFORM _audit('delete', k.id, 'ok', 'roles ' || k.roles);
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := k.renewed_at; freezes_at := k.freezes_at; issued := k.issued;
        retires_at := k.retires_at; replaced_by := k.replaced_by; last_used_at := k.last_used_at;
        RETURN NEXT;
    END LOOP;
END $$;

DROP FUNCTION revoke_found(text[], text[]);
CREATE FUNCTION revoke_found(p_ids text[], p_found_at text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    k api_key%ROWTYPE;
    i integer;
BEGIN
    PERFORM _require('delete');
    IF cardinality(p_ids) IS DISTINCT FROM cardinality(p_found_at) THEN
        RAISE EXCEPTION 'one place found per key' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM api_key a WHERE a.id = ANY (p_ids) ORDER BY a.id FOR UPDATE;
    FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
        DELETE FROM api_key a WHERE a.id = p_ids[i] RETURNING a.* INTO k;
        CONTINUE WHEN NOT FOUND;
        PERFORM _audit('delete', k.id, 'ok',
                       'revoked by scan: found at ' || p_found_at[i] || '; roles ' || k.roles);
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := k.renewed_at; freezes_at := k.freezes_at; issued := k.issued;
        retires_at := k.retires_at; replaced_by := k.replaced_by; last_used_at := k.last_used_at;
        RETURN NEXT;
    END LOOP;
END $$;

REVOKE ALL ON FUNCTION renew_keys(text[]), delete_keys(text[]), revoke_found(text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION renew_keys(text[]), delete_keys(text[]), revoke_found(text[], text[])
    TO @operators@;
