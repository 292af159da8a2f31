-- Schema v1 of a key store on PostgreSQL.
--
-- Errors a caller branches on have their own SQLSTATE, with the names
-- concerned in DETAIL: IK001 unknown keys, IK002 unknown operator, IK003
-- operator exists, IK004 no administrator would be left. A missing
-- permission is insufficient_privilege (42501). The texts of audit entries
-- are byte for byte those of src/audit.rs.
--
-- Run by `init` with the owner role set (SET ROLE), inside
-- one transaction, with @schema@ and @operators@ replaced by the quoted
-- names of the store's schema and of its operators' group role.
--
-- Nobody but the owner holds a privilege on a table. Operators reach the
-- data only through the SECURITY DEFINER functions below, each of which
-- checks the calling role's (session_user's) permissions in `operator` and
-- writes its audit entry in the same transaction. Times are Unix seconds,
-- UTC, taken from the server's clock.

CREATE TABLE api_key (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    roles       text NOT NULL,
    secret_hash text NOT NULL,
    created_at  bigint NOT NULL,
    renewed_at  bigint NOT NULL,
    freezes_at  bigint NOT NULL,
    issued      boolean NOT NULL DEFAULT false
);
CREATE INDEX api_key_freezes_at ON api_key (freezes_at, id);

CREATE TABLE operator (
    name        text PRIMARY KEY,
    permissions text NOT NULL,
    key_roles   text,
    added_at    bigint NOT NULL,
    added_by    text NOT NULL
);

CREATE TABLE audit (
    seq       bigint PRIMARY KEY,
    at        bigint NOT NULL,
    operator  text NOT NULL,
    action    text NOT NULL,
    key_id    text,
    outcome   text NOT NULL,
    detail    text NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
CREATE INDEX audit_key_id ON audit (key_id);

-- The chain's head: one row, locked by every append, so that entries are
-- numbered and chained one after another whatever the number of writers.
-- `last_seq` also reveals entries removed from the end of the log.
CREATE TABLE audit_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq  bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Settings of this store: `operators_role` names the group role whose
-- members may call the functions; `test_clock` (set only by the test suite,
-- directly as the owner) lets a session set `intergiro_keys.now`.
CREATE TABLE setting (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION append_only();

REVOKE ALL ON api_key, operator, audit, audit_head, setting FROM PUBLIC;

-- Internal helpers: not callable by operators.

CREATE FUNCTION _now() RETURNS bigint LANGUAGE sql STABLE
SET search_path = pg_catalog, @schema@ AS $$
    SELECT coalesce(
        CASE WHEN EXISTS (SELECT 1 FROM setting WHERE name = 'test_clock')
             THEN nullif(current_setting('intergiro_keys.now', true), '')::bigint END,
        extract(epoch FROM statement_timestamp())::bigint)
$$;

-- The audit hash, byte for byte the one of src/audit.rs: SHA-256 of the
-- compact JSON array [prev_hash, seq, at, operator, action, key_id,
-- outcome, detail].
CREATE FUNCTION _entry_hash(prev_hash text, seq bigint, at bigint, operator text,
                            action text, key_id text, outcome text, detail text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@ AS $$
    SELECT encode(sha256(convert_to(
        '[' || to_json(prev_hash)::text || ',' || seq::text || ',' || at::text || ','
            || to_json(operator)::text || ',' || to_json(action)::text || ','
            || coalesce(to_json(key_id)::text, 'null') || ',' || to_json(outcome)::text || ','
            || to_json(detail)::text || ']', 'UTF8')), 'hex')
$$;

CREATE FUNCTION _audit(p_action text, p_key_id text, p_outcome text, p_detail text)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    head audit_head%ROWTYPE;
    v_at bigint := _now();
    v_hash text;
BEGIN
    SELECT * INTO head FROM audit_head FOR UPDATE;
    v_hash := _entry_hash(head.last_hash, head.last_seq + 1, v_at, session_user::text,
                          p_action, p_key_id, p_outcome, p_detail);
    INSERT INTO audit VALUES (head.last_seq + 1, v_at, session_user::text, p_action,
                              p_key_id, p_outcome, p_detail, head.last_hash, v_hash);
    UPDATE audit_head SET last_seq = head.last_seq + 1, last_hash = v_hash;
END $$;

-- Raises insufficient_privilege unless the caller holds `wanted` (admin
-- holds everything; `verify` is held by anyone with any permission).
CREATE FUNCTION _require(wanted text) RETURNS operator LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    me operator%ROWTYPE;
    held text[];
BEGIN
    SELECT * INTO me FROM operator WHERE name = session_user::text;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator of this store', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    held := string_to_array(me.permissions, ',');
    IF NOT ('admin' = ANY (held) OR wanted = ANY (held)
            OR (wanted = 'verify' AND cardinality(held) > 0)) THEN
        RAISE EXCEPTION 'operator % lacks the % permission', session_user, wanted
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END $$;

CREATE FUNCTION _refuse_without_admin() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM operator WHERE 'admin' = ANY (string_to_array(permissions, ','))) THEN
        RAISE EXCEPTION 'that would leave no administrator; nothing was changed'
            USING ERRCODE = 'IK004';
    END IF;
END $$;

REVOKE ALL ON FUNCTION _now(), _entry_hash(text, bigint, bigint, text, text, text, text, text),
    _audit(text, text, text, text), _require(text), _refuse_without_admin(), append_only()
    FROM PUBLIC;

-- What operators call.

-- The caller's own operator entry (none when not an operator).
CREATE FUNCTION whoami() RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
    SELECT name, permissions, key_roles FROM operator WHERE name = session_user::text
$$;

-- Records a refusal the client decided. Anyone may: it says only that the
-- caller was refused.
CREATE FUNCTION record_refusal(p_action text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _audit(left(p_action, 64), NULL, 'refused', left(p_detail, 1000));
END $$;

-- The server's clock, as the functions see it.
CREATE FUNCTION server_now() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$ SELECT _now() $$;

CREATE FUNCTION create_key(p_id text, p_name text, p_roles text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
    refused text;
BEGIN
    IF p_roles IS NULL OR p_roles = '' OR p_roles !~ '^(accounts|payments|transactions)(,(accounts|payments|transactions))*$' THEN
        RAISE EXCEPTION 'roles % are not accounts, payments or transactions', p_roles
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_secret_hash !~ '^\$argon2id\$' THEN
        RAISE EXCEPTION 'a key is stored with its argon2id hash only'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF me.key_roles IS NOT NULL AND NOT ('admin' = ANY (string_to_array(me.permissions, ','))) THEN
        SELECT string_agg(r, ',' ORDER BY r) INTO refused
        FROM unnest(string_to_array(p_roles, ',')) AS r
        WHERE NOT r = ANY (string_to_array(me.key_roles, ','));
        IF refused IS NOT NULL THEN
            RAISE EXCEPTION 'operator % may create keys with the roles % only, not %',
                session_user, me.key_roles, refused USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    INSERT INTO api_key VALUES (p_id, p_name, p_roles, p_secret_hash, v_now, v_now,
                                v_now + 90 * 86400, false)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM _audit('create', p_id, 'ok', 'roles ' || p_roles);
    RETURN true;
END $$;

CREATE FUNCTION mark_issued(p_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('create');
    UPDATE api_key SET issued = true WHERE id = p_id;
END $$;

CREATE FUNCTION discard_unissued(p_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('create');
    DELETE FROM api_key WHERE id = p_id AND NOT issued;
    IF FOUND THEN
        PERFORM _audit('create', p_id, 'failed', 'secret not written out; key discarded');
    END IF;
END $$;

-- The keys, without their hashes, freezing soonest first: those frozen or
-- freezing by `p_freezing_by` (all when NULL), only issued ones if asked.
CREATE FUNCTION list_keys(p_freezing_by bigint, p_issued_only boolean)
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT k.id, k.name, k.roles, k.created_at, k.renewed_at, k.freezes_at, k.issued
                 FROM api_key k
                 WHERE (p_freezing_by IS NULL OR k.freezes_at <= p_freezing_by)
                   AND (NOT p_issued_only OR k.issued)
                 ORDER BY k.freezes_at, k.id;
END $$;

-- One key with its hash, for `verify`: one primary-key lookup.
CREATE FUNCTION find_key(p_id text)
RETURNS TABLE (id text, name text, roles text, secret_hash text, created_at bigint,
               renewed_at bigint, freezes_at bigint, issued boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('verify');
    RETURN QUERY SELECT k.id, k.name, k.roles, k.secret_hash, k.created_at, k.renewed_at,
                        k.freezes_at, k.issued
                 FROM api_key k WHERE k.id = p_id;
END $$;

-- How many keys are issued, how many of them are frozen at `p_now`, and
-- how many freeze by `p_by`: all that `check` needs.
CREATE FUNCTION count_flagged(p_now bigint, p_by bigint)
RETURNS TABLE (issued bigint, frozen bigint, expiring bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('verify');
    -- A freeze date more than 90 days ahead counts as frozen, as everywhere.
    RETURN QUERY SELECT count(*),
                        count(*) FILTER (WHERE k.freezes_at <= p_now OR k.freezes_at > p_now + 90 * 86400),
                        count(*) FILTER (WHERE k.freezes_at > p_now AND k.freezes_at <= p_by
                                           AND k.freezes_at <= p_now + 90 * 86400)
                 FROM api_key k WHERE k.issued;
END $$;

-- Renews every key of `p_ids` to freeze 90 days from now, or none when any
-- is unknown. Rows are locked in ID order, so concurrent renews queue
-- instead of deadlocking or losing an update.
CREATE FUNCTION renew_keys(p_ids text[])
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
    WHERE NOT EXISTS (SELECT 1 FROM api_key a WHERE a.id = u);
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

-- Deletes every key of `p_ids`, or none when any is unknown.
CREATE FUNCTION delete_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    unknown text;
    k api_key%ROWTYPE;
BEGIN
    PERFORM _require('delete');
    PERFORM 1 FROM api_key a WHERE a.id = ANY (p_ids) ORDER BY a.id FOR UPDATE;
    SELECT string_agg(DISTINCT u, ',') INTO unknown FROM unnest(p_ids) AS u
    WHERE NOT EXISTS (SELECT 1 FROM api_key a WHERE a.id = u);
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
        PERFORM _audit('delete', k.id, 'ok', 'roles ' || k.roles);
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := k.renewed_at; freezes_at := k.freezes_at; issued := k.issued;
        RETURN NEXT;
    END LOOP;
END $$;

-- Deletes each key of `p_ids` that still exists, recording where its text
-- was found (`p_found_at`, same order); a key already gone is skipped.
CREATE FUNCTION revoke_found(p_ids text[], p_found_at text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean)
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
        RETURN NEXT;
    END LOOP;
END $$;

CREATE FUNCTION operators() RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT o.name, o.permissions, o.key_roles FROM operator o ORDER BY o.name;
END $$;

CREATE FUNCTION _describe_operator(p_name text, p_permissions text, p_key_roles text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@ AS $$
    SELECT p_name || ': ' || p_permissions || coalesce(' (key roles ' || p_key_roles || ')', '')
$$;
REVOKE ALL ON FUNCTION _describe_operator(text, text, text) FROM PUBLIC;

CREATE FUNCTION _check_permissions(p_permissions text, p_key_roles text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    IF p_permissions !~ '^((view|create|renew|delete|admin|verify)(,(view|create|renew|delete|admin|verify))*)?$' THEN
        RAISE EXCEPTION 'unknown permissions %', p_permissions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_key_roles IS NOT NULL AND p_key_roles !~ '^(accounts|payments|transactions)(,(accounts|payments|transactions))*$' THEN
        RAISE EXCEPTION 'unknown key roles %', p_key_roles USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
REVOKE ALL ON FUNCTION _check_permissions(text, text) FROM PUBLIC;

-- Adds an operator. The client grants the group role in the same
-- transaction.
CREATE FUNCTION add_operator(p_name text, p_permissions text, p_key_roles text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('admin');
    PERFORM _check_permissions(p_permissions, p_key_roles);
    IF EXISTS (SELECT 1 FROM operator WHERE name = p_name) THEN
        RAISE EXCEPTION '% is already an operator', p_name
            USING ERRCODE = 'IK003', DETAIL = p_name;
    END IF;
    INSERT INTO operator VALUES (p_name, p_permissions, p_key_roles, _now(), session_user::text);
    PERFORM _audit('users add', NULL, 'ok', _describe_operator(p_name, p_permissions, p_key_roles));
END $$;

-- Sets an operator's permissions and key-role limit (`p_action` is
-- `users grant` or `users revoke`, for the audit log).
CREATE FUNCTION update_operator(p_name text, p_action text, p_permissions text, p_key_roles text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('admin');
    PERFORM _check_permissions(p_permissions, p_key_roles);
    IF p_action NOT IN ('users grant', 'users revoke') THEN
        RAISE EXCEPTION 'unknown action %', p_action USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE operator SET permissions = p_permissions, key_roles = p_key_roles WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
    PERFORM _refuse_without_admin();
    PERFORM _audit(p_action, NULL, 'ok', _describe_operator(p_name, p_permissions, p_key_roles));
END $$;

CREATE FUNCTION remove_operator(p_name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('admin');
    DELETE FROM operator WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
    PERFORM _refuse_without_admin();
    PERFORM _audit('users remove', NULL, 'ok', p_name);
END $$;

CREATE FUNCTION audit_entries(p_key_id text, p_operator text, p_since bigint)
RETURNS TABLE (seq bigint, at bigint, operator text, action text, key_id text, outcome text,
               detail text, prev_hash text, hash text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT a.seq, a.at, a.operator, a.action, a.key_id, a.outcome, a.detail,
                        a.prev_hash, a.hash
                 FROM audit a
                 WHERE (p_key_id IS NULL OR a.key_id = p_key_id)
                   AND (p_operator IS NULL OR a.operator = p_operator)
                   AND (p_since IS NULL OR a.at >= p_since)
                 ORDER BY a.seq;
END $$;

CREATE FUNCTION audit_last_seq() RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('view');
    RETURN (SELECT last_seq FROM audit_head);
END $$;

-- Only the store's operators may call what is left.
REVOKE ALL ON FUNCTION create_key(text, text, text, text), mark_issued(text),
    discard_unissued(text), list_keys(bigint, boolean), find_key(text), count_flagged(bigint, bigint),
    renew_keys(text[]), delete_keys(text[]), revoke_found(text[], text[]), operators(), add_operator(text, text, text),
    update_operator(text, text, text, text), remove_operator(text),
    audit_entries(text, text, bigint), audit_last_seq()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_key(text, text, text, text), mark_issued(text),
    discard_unissued(text), list_keys(bigint, boolean), find_key(text), count_flagged(bigint, bigint),
    renew_keys(text[]), delete_keys(text[]), revoke_found(text[], text[]), operators(), add_operator(text, text, text),
    update_operator(text, text, text, text), remove_operator(text),
    audit_entries(text, text, bigint), audit_last_seq()
    TO @operators@;
GRANT USAGE ON SCHEMA @schema@ TO PUBLIC;
GRANT EXECUTE ON FUNCTION whoami(), record_refusal(text, text), server_now() TO PUBLIC;
