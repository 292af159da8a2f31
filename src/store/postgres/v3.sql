-- v3: rotation with a grace period, and last use, as on SQLite. A rotated
-- key names its replacement (`replaced_by`, set when the rotation begins)
-- and retires at `retires_at` (set once the replacement was issued); a key
-- retired (retires_at <= now) is gone for every function but `find_key`,
-- whose caller refuses it. `last_used_at` is not audited: last use is not
-- security-relevant, and recording it must never hold up `verify`.
ALTER TABLE api_key ADD COLUMN replaced_by text, ADD COLUMN retires_at bigint,
    ADD COLUMN last_used_at bigint;

-- IK005: the key cannot be rotated; DETAIL is `<id> unissued`,
-- `<id> retiring <unix seconds>` or `<id> in-progress <replacement id>`.

-- Releases the key that the unissued key `p_replacement` was to replace.
CREATE FUNCTION _release_claim(p_replacement text) RETURNS void LANGUAGE sql
SET search_path = pg_catalog, @schema@ AS $$
    UPDATE api_key SET replaced_by = NULL WHERE replaced_by = p_replacement AND retires_at IS NULL
$$;
REVOKE ALL ON FUNCTION _release_claim(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION discard_unissued(p_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('create');
    DELETE FROM api_key WHERE id = p_id AND NOT issued;
    IF FOUND THEN
        PERFORM _release_claim(p_id);
        PERFORM _audit('create', p_id, 'failed', 'secret not written out; key discarded');
    END IF;
END $$;

-- Starts replacing `p_old` with a new unissued key `p_id` of the same name
-- and roles. Needs create and delete, and the caller's key-role limit
-- must cover the roles. The old row is locked first, so of concurrent
-- rotations exactly one claims it; the others see the claim. False, with
-- nothing changed, when `p_id` is taken.
CREATE FUNCTION begin_rotation(p_old text, p_id text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
    old api_key%ROWTYPE;
    refused text;
BEGIN
    PERFORM _require('delete');
    IF p_secret_hash !~ '^\$argon2id\$' THEN
        RAISE EXCEPTION 'a key is stored with its argon2id hash only'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO old FROM api_key WHERE id = p_old FOR UPDATE;
    IF NOT FOUND OR old.retires_at <= v_now THEN
        RAISE EXCEPTION 'no key with ID %; nothing was changed', p_old
            USING ERRCODE = 'IK001', DETAIL = p_old;
    END IF;
    IF me.key_roles IS NOT NULL AND NOT ('admin' = ANY (string_to_array(me.permissions, ','))) THEN
        SELECT string_agg(r, ',' ORDER BY r) INTO refused
        FROM unnest(string_to_array(old.roles, ',')) AS r
        WHERE NOT r = ANY (string_to_array(me.key_roles, ','));
        IF refused IS NOT NULL THEN
            RAISE EXCEPTION 'operator % may rotate keys with the roles % only, not %',
                session_user, me.key_roles, refused USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF NOT old.issued THEN
        RAISE EXCEPTION 'key % cannot be rotated', p_old
            USING ERRCODE = 'IK005', DETAIL = p_old || ' unissued';
    ELSIF old.retires_at IS NOT NULL THEN
        RAISE EXCEPTION 'key % cannot be rotated', p_old
            USING ERRCODE = 'IK005', DETAIL = p_old || ' retiring ' || old.retires_at;
    ELSIF old.replaced_by IS NOT NULL THEN
        RAISE EXCEPTION 'key % cannot be rotated', p_old
            USING ERRCODE = 'IK005', DETAIL = p_old || ' in-progress ' || old.replaced_by;
    END IF;
    INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
    VALUES (p_id, old.name, old.roles, p_secret_hash, v_now, v_now, v_now + 90 * 86400, false)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE api_key SET replaced_by = p_id WHERE id = p_old;
    PERFORM _audit('rotate', p_id, 'ok', 'roles ' || old.roles || '; replaces ' || p_old);
    RETURN true;
END $$;

-- Issues the replacement `p_new` and lets `p_old` retire `p_grace` seconds
-- from now, unless `p_old` was deleted meanwhile.
CREATE FUNCTION finish_rotation(p_old text, p_new text, p_grace bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    v_retires bigint := _now() + greatest(p_grace, 0);
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

-- Records a use of the issued key `p_id` unless one within the last
-- `p_period` seconds is recorded already. Never waits long for a lock.
CREATE FUNCTION record_use(p_id text, p_period bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@
SET lock_timeout = '100ms' AS $$
DECLARE
    v_now bigint := _now();
BEGIN
    PERFORM _require('verify');
    UPDATE api_key SET last_used_at = v_now
    WHERE id = p_id AND issued AND (last_used_at IS NULL OR last_used_at <= v_now - p_period);
    RETURN FOUND;
END $$;

DROP FUNCTION list_keys(bigint, boolean);
CREATE FUNCTION list_keys(p_freezing_by bigint, p_issued_only boolean)
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT k.id, k.name, k.roles, k.created_at, k.renewed_at, k.freezes_at, k.issued,
                        k.retires_at, k.replaced_by, k.last_used_at
                 FROM api_key k
                 WHERE (p_freezing_by IS NULL OR k.freezes_at <= p_freezing_by)
                   AND (NOT p_issued_only OR k.issued)
                 ORDER BY k.freezes_at, k.id;
END $$;

DROP FUNCTION find_key(text);
CREATE FUNCTION find_key(p_id text)
RETURNS TABLE (id text, name text, roles text, secret_hash text, created_at bigint,
               renewed_at bigint, freezes_at bigint, issued boolean, retires_at bigint,
               replaced_by text, last_used_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('verify');
    RETURN QUERY SELECT k.id, k.name, k.roles, k.secret_hash, k.created_at, k.renewed_at,
                        k.freezes_at, k.issued, k.retires_at, k.replaced_by, k.last_used_at
                 FROM api_key k WHERE k.id = p_id;
END $$;

-- As v1's, over keys not retired at `p_now`; a rotated key counts as
-- retiring, whatever its freeze.
DROP FUNCTION count_flagged(bigint, bigint);
CREATE FUNCTION count_flagged(p_now bigint, p_by bigint)
RETURNS TABLE (issued bigint, frozen bigint, expiring bigint, retiring bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('verify');
    RETURN QUERY SELECT count(*),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND (k.freezes_at <= p_now OR k.freezes_at > p_now + 90 * 86400)),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND k.freezes_at > p_now AND k.freezes_at <= p_by
                                           AND k.freezes_at <= p_now + 90 * 86400),
                        count(*) FILTER (WHERE k.retires_at IS NOT NULL)
                 FROM api_key k WHERE k.issued AND (k.retires_at IS NULL OR k.retires_at > p_now);
END $$;

-- As v1's, with retired keys unknown. A retiring key keeps its retires_at.
CREATE OR REPLACE FUNCTION renew_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, previous_freezes_at bigint)
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
        previous_freezes_at := k.freezes_at;
        RETURN NEXT;
    END LOOP;
END $$;

-- As v1's, with retired keys unknown; deleting an unissued replacement
-- releases the key it was to replace.
CREATE OR REPLACE FUNCTION delete_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean)
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
        RETURN NEXT;
    END LOOP;
END $$;

REVOKE ALL ON FUNCTION begin_rotation(text, text, text), finish_rotation(text, text, bigint),
    record_use(text, bigint), list_keys(bigint, boolean), find_key(text), count_flagged(bigint, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION begin_rotation(text, text, text), finish_rotation(text, text, bigint),
    record_use(text, bigint), list_keys(bigint, boolean), find_key(text), count_flagged(bigint, bigint)
    TO @operators@;
