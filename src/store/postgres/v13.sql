-- v13: the functions validate every argument as the command line does, and
-- a rotation is finished once. Before, an operator calling them with `psql`
-- could store a key with an ID, name or hash the tool never makes (a hash
-- with t=4000000000 kept every check of the matching key text busy for
-- days), finish another operator's rotation again to give a rotated-out
-- key up to 7 more days (or cut its grace short), and look up every key's
-- roles, dates and last use by name with a permission other than `view`.
-- The rules come from the tool (`schema::rules`), never spelled here.

-- Whether an argument is as the tool makes it: refuses it otherwise.
CREATE FUNCTION _valid_key_arguments(p_id text, p_name text, p_roles text, p_secret_hash text)
RETURNS void LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    wanted text[];
BEGIN
    IF p_id IS NULL OR p_id !~ '@id_pattern@' THEN
        RAISE EXCEPTION 'a key ID is @id_length@ letters and digits'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_name IS NOT NULL AND (btrim(p_name) = '' OR char_length(p_name) > @name_max_chars@
                               OR p_name ~ '[[:cntrl:]]' OR p_name ~ '@key_text_pattern@') THEN
        RAISE EXCEPTION 'a key name is 1 to @name_max_chars@ visible characters, without key text'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_roles IS NOT NULL THEN
        wanted := string_to_array(p_roles, ',');
        IF p_roles !~ '@roles_pattern@'
           OR cardinality(wanted) <> (SELECT count(DISTINCT r) FROM unnest(wanted) AS r) THEN
            RAISE EXCEPTION 'roles % are not accounts, payments or transactions, each once', p_roles
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF p_secret_hash IS NULL OR p_secret_hash !~ '@hash_pattern@' THEN
        RAISE EXCEPTION 'a key is stored with an argon2id hash of the tool''s own parameters only'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
REVOKE ALL ON FUNCTION _valid_key_arguments(text, text, text, text) FROM PUBLIC;

-- The key-role limit of an operator (`p_permissions`, `p_key_roles`)
-- covers `p_roles`; an administrator has none.
CREATE FUNCTION _within_key_roles(p_permissions text, p_key_roles text, p_roles text, p_what text)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    refused text;
BEGIN
    IF p_key_roles IS NOT NULL AND NOT ('admin' = ANY (string_to_array(p_permissions, ','))) THEN
        SELECT string_agg(r, ',' ORDER BY r) INTO refused
        FROM unnest(string_to_array(p_roles, ',')) AS r
        WHERE NOT r = ANY (string_to_array(p_key_roles, ','));
        IF refused IS NOT NULL THEN
            RAISE EXCEPTION 'operator % may % keys with the roles % only, not %',
                session_user, p_what, p_key_roles, refused USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
END $$;
REVOKE ALL ON FUNCTION _within_key_roles(text, text, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION create_key(p_id text, p_name text, p_roles text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
BEGIN
    IF p_name IS NULL OR p_roles IS NULL THEN
        RAISE EXCEPTION 'a key needs a name and roles' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM _valid_key_arguments(p_id, p_name, p_roles, p_secret_hash);
    PERFORM _within_key_roles(me.permissions, me.key_roles, p_roles, 'create');
    INSERT INTO api_key VALUES (p_id, p_name, p_roles, p_secret_hash, v_now, v_now,
                                v_now + @lifetime_seconds@, false)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM _audit('create', p_id, 'ok', 'roles ' || p_roles);
    RETURN true;
END $$;

-- As v3's, with the new key's ID and hash validated as create_key's.
CREATE OR REPLACE FUNCTION begin_rotation(p_old text, p_id text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
    old api_key%ROWTYPE;
BEGIN
    PERFORM _require('delete');
    PERFORM _valid_key_arguments(p_id, NULL, NULL, p_secret_hash);
    SELECT * INTO old FROM api_key WHERE id = p_old FOR UPDATE;
    IF NOT FOUND OR old.retires_at <= v_now THEN
        RAISE EXCEPTION 'no key with ID %; nothing was changed', p_old
            USING ERRCODE = 'IK001', DETAIL = p_old;
    END IF;
    PERFORM _within_key_roles(me.permissions, me.key_roles, old.roles, 'rotate');
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
    VALUES (p_id, old.name, old.roles, p_secret_hash, v_now, v_now, v_now + @lifetime_seconds@, false)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE api_key SET replaced_by = p_id WHERE id = p_old;
    PERFORM _audit('rotate', p_id, 'ok', 'roles ' || old.roles || '; replaces ' || p_old);
    RETURN true;
END $$;

-- Issues the replacement `p_new` begun by `begin_rotation` and lets `p_old`
-- retire `p_grace` seconds from now (at most the tool's longest grace),
-- unless `p_old` was deleted meanwhile. Once: the replacement must still be
-- waiting to be issued and the old key not yet retiring, so a finished
-- rotation can be neither reopened nor its grace changed; within the
-- caller's key-role limit, as beginning it was.
CREATE OR REPLACE FUNCTION finish_rotation(p_old text, p_new text, p_grace bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    v_retires bigint := _now() + least(greatest(coalesce(p_grace, 0), 0), @grace_max_seconds@);
    v_new api_key%ROWTYPE;
    v_old api_key%ROWTYPE;
BEGIN
    PERFORM _require('delete');
    SELECT * INTO v_old FROM api_key WHERE id = p_old FOR UPDATE;
    SELECT * INTO v_new FROM api_key WHERE id = p_new FOR UPDATE;
    IF v_new.id IS NULL OR v_new.issued
       OR (v_old.id IS NOT NULL AND (v_old.replaced_by IS DISTINCT FROM p_new
                                     OR v_old.retires_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'no rotation of % to % is waiting to be finished; nothing was changed', p_old, p_new
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM _within_key_roles(me.permissions, me.key_roles, v_new.roles, 'rotate');
    UPDATE api_key SET issued = true WHERE id = p_new;
    IF v_old.id IS NOT NULL THEN
        UPDATE api_key SET retires_at = v_retires WHERE id = p_old;
        PERFORM _audit('rotate', p_old, 'ok',
                       'replaced by ' || p_new || '; retires at '
                       || to_char(to_timestamp(v_retires) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
    END IF;
END $$;

-- Keys by name for a command given a name instead of an ID. A caller who
-- may `view` gets the rows, and with `p_similar` the first five whose names
-- resemble it (`key::resembles`), as v4's. Any other gets what its command
-- needs and no more: the IDs of the live keys of exactly that name (the
-- rest of each row empty), and nothing for a similar name, so that names,
-- roles, dates and last use cannot be read by guessing names.
CREATE OR REPLACE FUNCTION keys_named(p_name text, p_similar boolean, p_live_at bigint, p_permissions text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    wanted text;
    me operator;
    may_view boolean;
BEGIN
    IF coalesce(cardinality(p_permissions), 0) = 0
       OR NOT p_permissions <@ ARRAY['view', 'create', 'renew', 'delete'] THEN
        RAISE EXCEPTION 'a key is found by name for view, create, renew or delete, not %', p_permissions
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH wanted IN ARRAY p_permissions LOOP
        me := _require(wanted);
    END LOOP;
    may_view := 'admin' = ANY (string_to_array(me.permissions, ','))
                OR 'view' = ANY (string_to_array(me.permissions, ','));
    IF NOT may_view THEN
        IF p_similar THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT k.id, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint,
                            NULL::boolean, NULL::bigint, NULL::text, NULL::bigint
                     FROM api_key k
                     WHERE k.name = p_name
                       AND (k.retires_at IS NULL OR k.retires_at > p_live_at)
                     ORDER BY k.id COLLATE "C";
        RETURN;
    END IF;
    RETURN QUERY SELECT k.id, k.name, k.roles, k.created_at, k.renewed_at, k.freezes_at, k.issued,
                        k.retires_at, k.replaced_by, k.last_used_at
                 FROM api_key k
                 WHERE (k.retires_at IS NULL OR k.retires_at > p_live_at)
                   AND CASE WHEN p_similar
                            THEN p_name <> '' AND (strpos(lower(k.name), lower(p_name)) > 0
                                                   OR strpos(lower(p_name), lower(k.name)) > 0)
                            ELSE k.name = p_name END
                 ORDER BY k.freezes_at, k.id COLLATE "C"
                 LIMIT CASE WHEN p_similar THEN 5 END;
END $$;
