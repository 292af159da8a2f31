-- A key store on PostgreSQL, format 1.0.
--
-- Run by `init` with the owner role set (SET ROLE), inside one
-- transaction, with @schema@ and @operators@ replaced by the quoted names of
-- the store's schema and of its operators' group role, and every other
-- placeholder (a name between at signs) by a rule of the tool
-- (`schema::rules`): lifetimes, limits, shapes and argon2 parameters are
-- never spelled here.
--
-- Errors a caller branches on have their own SQLSTATE, with the names
-- concerned in DETAIL: IK001 unknown keys, IK002 unknown operator, IK003
-- operator exists, IK004 no administrator would be left, IK005 the key
-- cannot be rotated (DETAIL `<id> unissued`, `<id> retiring <unix seconds>`
-- or `<id> in-progress <replacement id>`), IK006 the key is retiring and not
-- renewed (DETAIL `<id> <retires_at> [<replaced_by>]`), IK007 a row differs
-- from the audit entry that last wrote it (DETAIL `<subject>`, the message
-- the problem). A missing permission is insufficient_privilege (42501), an
-- argument the tool never makes invalid_parameter_value (22023). The texts of
-- audit entries are byte for byte those of src/audit.rs.
--
-- Nobody but the owner holds a privilege on a table. Operators reach the
-- data only through the SECURITY DEFINER functions below, each of which
-- checks the calling role's (session_user's) permissions in `operator`,
-- validates every argument as the command line does, and writes its audit
-- entry in the same transaction. Times are Unix seconds, UTC, from the
-- server's clock, rounded down as the client's are: dates (creation,
-- freeze, retirement) are computed here only, never taken from a caller.
--
-- Every function sets `search_path = pg_catalog, @schema@, pg_temp`: a
-- search_path that does not name pg_temp searches it first, so a temporary
-- table the caller made (`operator`, `setting`) would stand in for the
-- store's inside a SECURITY DEFINER function.
--
-- Every key and operator row is sealed: the audit entry that last wrote it
-- carries the row's subject and a digest of its security-relevant columns
-- (`_key_seal`, `_operator_seal`), inside the entry's hash. A row edited by
-- other means (the owner role, a superuser) no longer matches, and
-- `find_key` and `tampered` say so.

CREATE TABLE api_key (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    roles        text NOT NULL,
    secret_hash  text NOT NULL,
    created_at   bigint NOT NULL,
    renewed_at   bigint NOT NULL,
    freezes_at   bigint NOT NULL,
    issued       boolean NOT NULL DEFAULT false,
    -- A rotated key names its replacement (set when the rotation begins)
    -- and retires at `retires_at` (set once the replacement was issued).
    replaced_by  text,
    retires_at   bigint,
    -- Not audited nor sealed: last use is not security-relevant, and
    -- recording it must never hold up `verify`.
    last_used_at bigint
);
CREATE INDEX api_key_freezes_at ON api_key (freezes_at, id);

CREATE TABLE operator (
    name        text PRIMARY KEY,
    permissions text NOT NULL,
    key_roles   text,
    added_at    bigint NOT NULL,
    added_by    text NOT NULL
);

-- `subject` and `seal`: the row an entry wrote (`key ID`, `operator NAME`)
-- and the digest of its sealed columns, or `removed`.
CREATE TABLE audit (
    seq       bigint PRIMARY KEY,
    at        bigint NOT NULL,
    operator  text NOT NULL,
    action    text NOT NULL,
    key_id    text,
    outcome   text NOT NULL,
    detail    text NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL,
    subject   text,
    seal      text
);
CREATE INDEX audit_key_id ON audit (key_id);
CREATE INDEX audit_subject ON audit (subject, seq) WHERE subject IS NOT NULL;

-- The chain's head: one row, locked by every append, so that entries are
-- numbered and chained one after another whatever the number of writers.
-- `last_seq` also reveals entries removed from the end of the log.
CREATE TABLE audit_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq  bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Settings of this store: `test_clock` (set only by the test suite,
-- directly as the owner) lets a session set `intergiro_keys.now`.
CREATE TABLE setting (
    name  text PRIMARY KEY,
    value text NOT NULL
);

-- `version` is the store's format (MAJOR * 1000 + MINOR); `operators_role`
-- names the group role whose members may call the functions.
CREATE TABLE schema_version (version integer NOT NULL, operators_role text NOT NULL);
INSERT INTO schema_version VALUES (@format@, @operators_literal@);
GRANT SELECT ON schema_version TO PUBLIC;

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION append_only();

REVOKE ALL ON api_key, operator, audit, audit_head, setting FROM PUBLIC;

-- Internal helpers: not callable by operators.

CREATE FUNCTION _now() RETURNS bigint LANGUAGE sql STABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT coalesce(
        CASE WHEN EXISTS (SELECT 1 FROM setting WHERE name = 'test_clock')
             THEN nullif(current_setting('intergiro_keys.now', true), '')::bigint END,
        floor(extract(epoch FROM statement_timestamp()))::bigint)
$$;

-- The audit hash, byte for byte the one of src/audit.rs: SHA-256 of the
-- compact JSON array [prev_hash, seq, at, operator, action, key_id,
-- outcome, detail], with [subject, seal] appended for an entry that
-- sealed a row.
CREATE FUNCTION _entry_hash(prev_hash text, seq bigint, at bigint, operator text,
                            action text, key_id text, outcome text, detail text,
                            subject text, seal text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT encode(sha256(convert_to(
        '[' || to_json(prev_hash)::text || ',' || seq::text || ',' || at::text || ','
            || to_json(operator)::text || ',' || to_json(action)::text || ','
            || coalesce(to_json(key_id)::text, 'null') || ',' || to_json(outcome)::text || ','
            || to_json(detail)::text
            || CASE WHEN subject IS NOT NULL AND seal IS NOT NULL
                    THEN ',' || to_json(subject)::text || ',' || to_json(seal)::text ELSE '' END
            || ']', 'UTF8')), 'hex')
$$;

-- Appends an entry, sealing the row `p_subject` as `p_seal` when given.
CREATE FUNCTION _audit(p_action text, p_key_id text, p_outcome text, p_detail text,
                       p_subject text DEFAULT NULL, p_seal text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    head audit_head%ROWTYPE;
    v_at bigint := _now();
    v_hash text;
BEGIN
    SELECT * INTO head FROM audit_head FOR UPDATE;
    v_hash := _entry_hash(head.last_hash, head.last_seq + 1, v_at, session_user::text,
                          p_action, p_key_id, p_outcome, p_detail, p_subject, p_seal);
    INSERT INTO audit VALUES (head.last_seq + 1, v_at, session_user::text, p_action,
                              p_key_id, p_outcome, p_detail, head.last_hash, v_hash,
                              p_subject, p_seal);
    UPDATE audit_head SET last_seq = head.last_seq + 1, last_hash = v_hash;
END $$;

-- The digest of a key row's columns that decide whether the key works,
-- byte for byte src/audit.rs's `Seal::key`: SHA-256 of the fields `key`,
-- id, name, roles, secret_hash, created_at, issued (1 or 0), freezes_at,
-- retires_at and replaced_by (NULL while retires_at is: until then the
-- claim of an unfinished rotation only holds off another one), each as its
-- length in UTF-8 bytes, `:`, the text and `;`, or `~;` for NULL. Spelled
-- out rather than through a helper: `tampered` digests every row.
CREATE FUNCTION _key_seal(k api_key) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT encode(sha256(convert_to(
            '3:key;'
            || (coalesce(octet_length(k.id)::text || ':' || k.id, '~') || ';')
            || (coalesce(octet_length(k.name)::text || ':' || k.name, '~') || ';')
            || (coalesce(octet_length(k.roles)::text || ':' || k.roles, '~') || ';')
            || (coalesce(octet_length(k.secret_hash)::text || ':' || k.secret_hash, '~') || ';')
            || (coalesce(octet_length(k.created_at::text)::text || ':' || k.created_at::text, '~') || ';')
            || CASE WHEN k.issued THEN '1:1;' ELSE '1:0;' END
            || (coalesce(octet_length(k.freezes_at::text)::text || ':' || k.freezes_at::text, '~') || ';')
            || (coalesce(octet_length(k.retires_at::text)::text || ':' || k.retires_at::text, '~') || ';')
            || CASE WHEN k.retires_at IS NULL THEN '~;'
                    ELSE coalesce(octet_length(k.replaced_by)::text || ':' || k.replaced_by, '~') || ';' END,
        'UTF8')), 'hex')
$$;

-- The digest of an operator row, as src/audit.rs's `Seal::operator`: the
-- fields `operator`, name, permissions and key_roles.
CREATE FUNCTION _operator_seal(o operator) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT encode(sha256(convert_to(
            '8:operator;'
            || (coalesce(octet_length(o.name)::text || ':' || o.name, '~') || ';')
            || (coalesce(octet_length(o.permissions)::text || ':' || o.permissions, '~') || ';')
            || (coalesce(octet_length(o.key_roles)::text || ':' || o.key_roles, '~') || ';'),
        'UTF8')), 'hex')
$$;

-- How the key row `k` (NULL: gone) disagrees with the last audit entry
-- that sealed `p_subject`, if it does.
CREATE FUNCTION _seal_problem(p_subject text, k api_key) RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT CASE
        WHEN last.seq IS NULL THEN CASE WHEN k.id IS NULL THEN NULL ELSE 'no audit entry wrote it' END
        WHEN last.seal = 'removed' THEN
            CASE WHEN k.id IS NULL THEN NULL ELSE 'audit entry ' || last.seq || ' removed it' END
        WHEN k.id IS NULL THEN
            'audit entry ' || last.seq || ' wrote it, but the row is gone: removed by other means'
        WHEN last.seal = _key_seal(k) THEN NULL
        ELSE 'it differs from what audit entry ' || last.seq || ' recorded'
    END
    FROM (SELECT NULL) AS one
    LEFT JOIN LATERAL (SELECT a.seq, a.seal FROM audit a
                       WHERE a.subject = p_subject ORDER BY a.seq DESC LIMIT 1) AS last ON true
$$;

CREATE FUNCTION _operator_seal_problem(p_subject text, o operator) RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT CASE
        WHEN last.seq IS NULL THEN CASE WHEN o.name IS NULL THEN NULL ELSE 'no audit entry wrote it' END
        WHEN last.seal = 'removed' THEN
            CASE WHEN o.name IS NULL THEN NULL ELSE 'audit entry ' || last.seq || ' removed it' END
        WHEN o.name IS NULL THEN
            'audit entry ' || last.seq || ' wrote it, but the row is gone: removed by other means'
        WHEN last.seal = _operator_seal(o) THEN NULL
        ELSE 'it differs from what audit entry ' || last.seq || ' recorded'
    END
    FROM (SELECT NULL) AS one
    LEFT JOIN LATERAL (SELECT a.seq, a.seal FROM audit a
                       WHERE a.subject = p_subject ORDER BY a.seq DESC LIMIT 1) AS last ON true
$$;

-- Refuses to change a key whose row is not as its last entry sealed it: the
-- change would seal what was forged.
CREATE FUNCTION _refuse_tampered(k api_key) RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    problem text := _seal_problem('key ' || k.id, k);
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION '%', problem USING ERRCODE = 'IK007', DETAIL = 'key ' || k.id;
    END IF;
END $$;

-- Raises insufficient_privilege unless the caller holds `wanted` (admin
-- holds everything; `verify` is held by anyone with any permission).
CREATE FUNCTION _require(wanted text) RETURNS operator LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
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

-- Raises _require's error for a caller lacking `wanted`: what `find_key`,
-- a SQL function, calls to refuse (through `_deny`).
CREATE FUNCTION _refuse(wanted text) RETURNS boolean LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM operator WHERE name = session_user::text) THEN
        RAISE EXCEPTION '% is not an operator of this store', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'operator % lacks the % permission', session_user, wanted
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- _refuse behind a SQL function: a query that may call a plpgsql function
-- loads plpgsql when it starts (about 1 ms), a SQL one only when called.
-- Its SET clause keeps the planner from inlining it.
CREATE FUNCTION _deny(wanted text) RETURNS boolean LANGUAGE sql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT _refuse(wanted)
$$;

CREATE FUNCTION _refuse_without_admin() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM operator WHERE 'admin' = ANY (string_to_array(permissions, ','))) THEN
        RAISE EXCEPTION 'that would leave no administrator; nothing was changed'
            USING ERRCODE = 'IK004';
    END IF;
END $$;

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

-- A list of key IDs as the tool passes one: not NULL, no NULL or malformed
-- ID in it.
CREATE FUNCTION _valid_ids(p_ids text[]) RETURNS void LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF p_ids IS NULL OR array_ndims(p_ids) > 1
       OR EXISTS (SELECT 1 FROM unnest(p_ids) AS u WHERE u IS NULL OR u !~ '@id_pattern@') THEN
        RAISE EXCEPTION 'key IDs are @id_length@ letters and digits each'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

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

-- The unissued key `p_id` that the caller made with `create_key` and has
-- not issued yet: only its maker issues or discards it, and a rotation's
-- replacement is issued by `finish_rotation` alone.
CREATE FUNCTION _own_unissued(p_id text) RETURNS api_key LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    k api_key%ROWTYPE;
BEGIN
    IF p_id IS NULL OR p_id !~ '@id_pattern@' THEN
        RAISE EXCEPTION 'a key ID is @id_length@ letters and digits'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO k FROM api_key WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR k.issued
       OR NOT EXISTS (SELECT 1 FROM audit a WHERE a.key_id = p_id AND a.action IN ('create', 'rotate')
                      AND a.outcome = 'ok' AND a.operator = session_user::text) THEN
        RAISE EXCEPTION 'no key % of yours is waiting to be issued; nothing was changed', p_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN k;
END $$;

-- Marks the unissued key `k` issued, once its row is found as sealed, and
-- seals it so, as src/audit.rs's `Event::Issued` records it.
CREATE FUNCTION _issue(k api_key) RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _refuse_tampered(k);
    UPDATE api_key SET issued = true WHERE id = k.id AND NOT issued RETURNING * INTO k;
    IF FOUND THEN
        PERFORM _audit('create', k.id, 'ok', 'secret written out; key issued',
                       'key ' || k.id, _key_seal(k));
    END IF;
END $$;

-- Releases the key that the unissued key `p_replacement` was to replace.
CREATE FUNCTION _release_claim(p_replacement text) RETURNS void LANGUAGE sql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    UPDATE api_key SET replaced_by = NULL WHERE replaced_by = p_replacement AND retires_at IS NULL
$$;

CREATE FUNCTION _describe_operator(p_name text, p_permissions text, p_key_roles text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT p_name || ': ' || p_permissions || coalesce(' (key roles ' || p_key_roles || ')', '')
$$;

CREATE FUNCTION _check_permissions(p_permissions text, p_key_roles text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF p_permissions IS NULL OR p_permissions !~ '@permissions_pattern@' THEN
        RAISE EXCEPTION 'unknown permissions %', p_permissions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_key_roles IS NOT NULL AND p_key_roles !~ '@roles_pattern@' THEN
        RAISE EXCEPTION 'unknown key roles %', p_key_roles USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- An operator's name as PostgreSQL takes a role's: refuses it otherwise.
CREATE FUNCTION _named(p_name text) RETURNS void LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF p_name IS NULL OR p_name = '' OR octet_length(p_name) > 63 OR p_name ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'an operator is named as its PostgreSQL role'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- Every operator change locks the operator table against other changes
-- (reads go on) before it reads anything, so each sees the one before it.
-- The caller's own permission is checked before the lock (so no one else
-- can hold it) and again after it.
CREATE FUNCTION _lock_operators() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('admin');
    LOCK TABLE operator IN EXCLUSIVE MODE;
    PERFORM _require('admin');
END $$;

-- Announces every change to a key, so that `serve` can drop what it cached
-- about that key. NOTIFY is sent at commit, in the changing transaction,
-- with the key's ID as payload; a rolled-back change sends nothing.
-- Recording a key's last use changes nothing a verification answers, and is
-- not announced. A TRUNCATE announces `*`: every key.
CREATE FUNCTION _announce_key_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('intergiro_keys_key_change', '*');
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE'
       AND to_jsonb(NEW) - 'last_used_at' = to_jsonb(OLD) - 'last_used_at' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('intergiro_keys_key_change', OLD.id);
    ELSE
        PERFORM pg_notify('intergiro_keys_key_change', NEW.id);
        IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN
            PERFORM pg_notify('intergiro_keys_key_change', OLD.id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER api_key_announce_change
AFTER INSERT OR UPDATE OR DELETE ON api_key
FOR EACH ROW EXECUTE FUNCTION _announce_key_change();

CREATE TRIGGER api_key_announce_truncate
AFTER TRUNCATE ON api_key
FOR EACH STATEMENT EXECUTE FUNCTION _announce_key_change();

-- What operators call.

-- The caller's own operator entry (none when not an operator).
CREATE FUNCTION whoami() RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    SELECT name, permissions, key_roles FROM operator WHERE name = session_user::text
$$;

-- Records a refusal the client decided, about the key `p_key_id` when it
-- concerned one. Anyone may: it says only that the caller was refused, of
-- an action named as the tool names them.
CREATE FUNCTION record_refusal(p_action text, p_key_id text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    IF p_action IS NULL OR p_action !~ '^[a-z][a-z -]{0,31}$' OR p_detail IS NULL THEN
        RAISE EXCEPTION 'a refusal names the action refused and why'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM _audit(p_action,
                   CASE WHEN p_key_id ~ '@id_pattern@' THEN p_key_id END,
                   'refused', left(p_detail, 1000));
END $$;

-- The server's clock, as the functions see it.
CREATE FUNCTION server_now() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$ SELECT _now() $$;

-- Stores a new unissued key; false, with nothing changed, when `p_id` is
-- taken. It freezes the tool's lifetime from the server's now.
CREATE FUNCTION create_key(p_id text, p_name text, p_roles text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
    k api_key%ROWTYPE;
BEGIN
    IF p_name IS NULL OR p_roles IS NULL THEN
        RAISE EXCEPTION 'a key needs a name and roles' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM _valid_key_arguments(p_id, p_name, p_roles, p_secret_hash);
    PERFORM _within_key_roles(me.permissions, me.key_roles, p_roles, 'create');
    INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
    VALUES (p_id, p_name, p_roles, p_secret_hash, v_now, v_now, v_now + @lifetime_seconds@, false)
    ON CONFLICT (id) DO NOTHING
    RETURNING * INTO k;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM _audit('create', p_id, 'ok', 'roles ' || p_roles, 'key ' || p_id, _key_seal(k));
    RETURN true;
END $$;

-- Issues the key the caller just made, once its text was written out, and
-- seals it so: `issued` decides whether the key works.
CREATE FUNCTION mark_issued(p_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    k api_key%ROWTYPE := _own_unissued(p_id);
BEGIN
    PERFORM _within_key_roles(me.permissions, me.key_roles, k.roles, 'create');
    IF EXISTS (SELECT 1 FROM api_key a WHERE a.replaced_by = p_id) THEN
        RAISE EXCEPTION 'key % replaces another: finish its rotation instead', p_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM _issue(k);
END $$;

-- Removes the unissued key the caller just made, its text not written out.
CREATE FUNCTION discard_unissued(p_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    k api_key%ROWTYPE;
BEGIN
    -- Already gone or issued: nothing to discard, as the tool expects
    -- after a failed write.
    IF p_id IS NULL OR NOT EXISTS (SELECT 1 FROM api_key WHERE id = p_id AND NOT issued) THEN
        RETURN;
    END IF;
    k := _own_unissued(p_id);
    PERFORM _within_key_roles(me.permissions, me.key_roles, k.roles, 'create');
    DELETE FROM api_key WHERE id = p_id;
    PERFORM _release_claim(p_id);
    PERFORM _audit('create', p_id, 'failed', 'secret not written out; key discarded',
                   'key ' || p_id, 'removed');
END $$;

-- The keys, without their hashes, freezing soonest first: those frozen or
-- freezing by `p_freezing_by` (all when NULL), only issued ones if asked.
CREATE FUNCTION list_keys(p_freezing_by bigint, p_issued_only boolean)
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT k.id, k.name, k.roles, k.created_at, k.renewed_at, k.freezes_at, k.issued,
                        k.retires_at, k.replaced_by, k.last_used_at
                 FROM api_key k
                 WHERE (p_freezing_by IS NULL OR k.freezes_at <= p_freezing_by)
                   AND (NOT coalesce(p_issued_only, false) OR k.issued)
                 ORDER BY k.freezes_at, k.id;
END $$;

-- One key with its hash, for `verify`: one primary-key lookup, and one of
-- the last entry that sealed it (`seal_problem`, NULL when the row is as
-- sealed). A SQL function, its permission check included: a plpgsql one
-- costs a new backend about 2 ms to load the language and compile it.
CREATE FUNCTION find_key(p_id text)
RETURNS TABLE (id text, name text, roles text, secret_hash text, created_at bigint,
               renewed_at bigint, freezes_at bigint, issued boolean, retires_at bigint,
               replaced_by text, last_used_at bigint, seal_problem text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
    -- _require('verify'), in SQL: any permission holds verify.
    SELECT CASE WHEN EXISTS (
        SELECT 1 FROM operator o
        WHERE o.name = session_user::text
          AND cardinality(string_to_array(o.permissions, ',')) > 0)
    THEN true ELSE _deny('verify') END;
    SELECT k.id, k.name, k.roles, k.secret_hash, k.created_at, k.renewed_at,
           k.freezes_at, k.issued, k.retires_at, k.replaced_by, k.last_used_at,
           _seal_problem('key ' || k.id, k)
    FROM api_key k WHERE k.id = p_id;
$$;

-- How many keys are issued, how many of them are frozen at `p_now`, how
-- many freeze by `p_by`, and how many are retiring, over keys not retired
-- at `p_now`: all that `check` needs. A freeze date beyond the tool's
-- lifetime and clock slack from now counts as frozen, as everywhere; a
-- rotated key counts as retiring, whatever its freeze.
CREATE FUNCTION count_flagged(p_now bigint, p_by bigint)
RETURNS TABLE (issued bigint, frozen bigint, expiring bigint, retiring bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('verify');
    IF p_now IS NULL OR p_by IS NULL THEN
        RAISE EXCEPTION 'counting needs a time and a horizon' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT count(*),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND (k.freezes_at <= p_now
                                                OR k.freezes_at > p_now + @latest_freeze_seconds@)),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND k.freezes_at > p_now AND k.freezes_at <= p_by
                                           AND k.freezes_at <= p_now + @latest_freeze_seconds@),
                        count(*) FILTER (WHERE k.retires_at IS NOT NULL)
                 FROM api_key k WHERE k.issued AND (k.retires_at IS NULL OR k.retires_at > p_now);
END $$;

-- Renews every key of `p_ids` to freeze the tool's lifetime from now, or
-- none when any is unknown, retiring after a rotation, or not as sealed.
-- Rows are locked in ID order, so concurrent renews queue instead of
-- deadlocking or losing an update.
CREATE FUNCTION renew_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint, previous_freezes_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    v_now bigint := _now();
    v_freezes bigint := v_now + @lifetime_seconds@;
    unknown text;
    k api_key%ROWTYPE;
BEGIN
    PERFORM _require('renew');
    PERFORM _valid_ids(p_ids);
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
        PERFORM _refuse_tampered(k);
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        issued := k.issued; retires_at := k.retires_at; replaced_by := k.replaced_by;
        last_used_at := k.last_used_at; previous_freezes_at := k.freezes_at;
        UPDATE api_key a SET renewed_at = v_now, freezes_at = v_freezes WHERE a.id = k.id
        RETURNING a.* INTO k;
        PERFORM _audit('renew', k.id, 'ok',
                       'freezes at ' || to_char(to_timestamp(v_freezes) AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       'key ' || k.id, _key_seal(k));
        renewed_at := v_now; freezes_at := v_freezes;
        RETURN NEXT;
    END LOOP;
END $$;

-- Deletes every key of `p_ids`, or none when any is unknown (retired keys
-- are); deleting an unissued replacement releases the key it was to
-- replace. A key not as sealed is deleted too: that is the remedy.
CREATE FUNCTION delete_keys(p_ids text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    v_now bigint := _now();
    unknown text;
    k api_key%ROWTYPE;
BEGIN
    PERFORM _require('delete');
    PERFORM _valid_ids(p_ids);
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
        PERFORM _audit('delete', k.id, 'ok', 'roles ' || k.roles, 'key ' || k.id, 'removed');
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := k.renewed_at; freezes_at := k.freezes_at; issued := k.issued;
        retires_at := k.retires_at; replaced_by := k.replaced_by; last_used_at := k.last_used_at;
        RETURN NEXT;
    END LOOP;
END $$;

-- Deletes each key of `p_ids` that still exists, recording where its text
-- was found (`p_found_at`, same order); a key already gone is skipped.
CREATE FUNCTION revoke_found(p_ids text[], p_found_at text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    k api_key%ROWTYPE;
    i integer;
BEGIN
    PERFORM _require('delete');
    PERFORM _valid_ids(p_ids);
    IF p_found_at IS NULL OR cardinality(p_ids) IS DISTINCT FROM cardinality(p_found_at)
       OR array_ndims(p_found_at) > 1
       OR EXISTS (SELECT 1 FROM unnest(p_found_at) AS f
                  WHERE f IS NULL OR btrim(f) = '' OR char_length(f) > 4096) THEN
        RAISE EXCEPTION 'one place found per key' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM api_key a WHERE a.id = ANY (p_ids) ORDER BY a.id FOR UPDATE;
    FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
        DELETE FROM api_key a WHERE a.id = p_ids[i] RETURNING a.* INTO k;
        CONTINUE WHEN NOT FOUND;
        IF NOT k.issued THEN
            PERFORM _release_claim(k.id);
        END IF;
        PERFORM _audit('delete', k.id, 'ok',
                       'revoked by scan: found at ' || p_found_at[i] || '; roles ' || k.roles,
                       'key ' || k.id, 'removed');
        id := k.id; name := k.name; roles := k.roles; created_at := k.created_at;
        renewed_at := k.renewed_at; freezes_at := k.freezes_at; issued := k.issued;
        retires_at := k.retires_at; replaced_by := k.replaced_by; last_used_at := k.last_used_at;
        RETURN NEXT;
    END LOOP;
END $$;

-- Starts replacing `p_old` with a new unissued key `p_id` of the same name
-- and roles. Needs create and delete, and the caller's key-role limit
-- must cover the roles. The old row is locked first, so of concurrent
-- rotations exactly one claims it; the others see the claim. False, with
-- nothing changed, when `p_id` is taken.
CREATE FUNCTION begin_rotation(p_old text, p_id text, p_secret_hash text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    me operator := _require('create');
    v_now bigint := _now();
    old api_key%ROWTYPE;
    k api_key%ROWTYPE;
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
    -- The new key would carry forged roles or name.
    PERFORM _refuse_tampered(old);
    INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
    VALUES (p_id, old.name, old.roles, p_secret_hash, v_now, v_now, v_now + @lifetime_seconds@, false)
    ON CONFLICT (id) DO NOTHING
    RETURNING * INTO k;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE api_key SET replaced_by = p_id WHERE id = p_old;
    PERFORM _audit('rotate', p_id, 'ok', 'roles ' || old.roles || '; replaces ' || p_old,
                   'key ' || p_id, _key_seal(k));
    RETURN true;
END $$;

-- Issues the replacement `p_new` begun by `begin_rotation` and lets `p_old`
-- retire `p_grace` seconds from now (at most the tool's longest grace),
-- unless `p_old` was deleted meanwhile. Once: the replacement must still be
-- waiting to be issued and the old key not yet retiring, so a finished
-- rotation can be neither reopened nor its grace changed; within the
-- caller's key-role limit, as beginning it was.
CREATE FUNCTION finish_rotation(p_old text, p_new text, p_grace bigint)
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
    IF v_old.id IS NOT NULL THEN
        PERFORM _refuse_tampered(v_old);
    END IF;
    PERFORM _issue(v_new);
    IF v_old.id IS NOT NULL THEN
        UPDATE api_key SET retires_at = v_retires WHERE id = p_old RETURNING * INTO v_old;
        PERFORM _audit('rotate', p_old, 'ok',
                       'replaced by ' || p_new || '; retires at '
                       || to_char(to_timestamp(v_retires) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       'key ' || p_old, _key_seal(v_old));
    END IF;
END $$;

-- Records a use of the issued key `p_id` unless one within the last
-- `p_period` seconds is recorded already. Never waits long for a lock.
CREATE FUNCTION record_use(p_id text, p_period bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp
SET lock_timeout = '100ms' AS $$
DECLARE
    v_now bigint := _now();
BEGIN
    PERFORM _require('verify');
    UPDATE api_key SET last_used_at = v_now
    WHERE id = p_id AND issued
      AND (last_used_at IS NULL
           OR last_used_at <= v_now - greatest(coalesce(p_period, 0), 0));
    RETURN FOUND;
END $$;

-- Keys by name for a command given a name instead of an ID. A caller who
-- may `view` gets the rows, and with `p_similar` the first few whose names
-- resemble it (`key::resembles`). Any other gets what its command needs and
-- no more: the IDs of the live keys of exactly that name (the rest of each
-- row empty), and nothing for a similar name, so that names, roles, dates
-- and last use cannot be read by guessing names.
CREATE FUNCTION keys_named(p_name text, p_similar boolean, p_live_at bigint, p_permissions text[])
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
    IF p_name IS NULL OR p_similar IS NULL OR p_live_at IS NULL THEN
        RAISE EXCEPTION 'a key is found by a name, at a time' USING ERRCODE = 'invalid_parameter_value';
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
                 LIMIT CASE WHEN p_similar THEN @similar_names@ END;
END $$;

CREATE FUNCTION operators() RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT o.name, o.permissions, o.key_roles FROM operator o ORDER BY o.name;
END $$;

-- The operator `p_name` as it is, for a change made in the same
-- transaction, with other operator changes kept out until it commits.
CREATE FUNCTION lock_operator(p_name text) RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
    PERFORM _named(p_name);
    RETURN QUERY SELECT o.name, o.permissions, o.key_roles FROM operator o WHERE o.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
END $$;

-- Adds an operator: a role name as PostgreSQL takes one. The client grants
-- the group role in the same transaction.
CREATE FUNCTION add_operator(p_name text, p_permissions text, p_key_roles text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    o operator%ROWTYPE;
BEGIN
    PERFORM _lock_operators();
    PERFORM _check_permissions(p_permissions, p_key_roles);
    PERFORM _named(p_name);
    IF EXISTS (SELECT 1 FROM operator WHERE name = p_name) THEN
        RAISE EXCEPTION '% is already an operator', p_name
            USING ERRCODE = 'IK003', DETAIL = p_name;
    END IF;
    INSERT INTO operator VALUES (p_name, p_permissions, p_key_roles, _now(), session_user::text)
    RETURNING * INTO o;
    PERFORM _audit('users add', NULL, 'ok', _describe_operator(p_name, p_permissions, p_key_roles),
                   'operator ' || p_name, _operator_seal(o));
END $$;

-- Sets an operator's permissions and key-role limit (`p_action` is
-- `users grant` or `users revoke`, for the audit log).
CREATE FUNCTION update_operator(p_name text, p_action text, p_permissions text, p_key_roles text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    o operator%ROWTYPE;
BEGIN
    PERFORM _lock_operators();
    PERFORM _check_permissions(p_permissions, p_key_roles);
    PERFORM _named(p_name);
    IF p_action IS NULL OR p_action NOT IN ('users grant', 'users revoke') THEN
        RAISE EXCEPTION 'unknown action %', p_action USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE operator SET permissions = p_permissions, key_roles = p_key_roles WHERE name = p_name
    RETURNING * INTO o;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
    PERFORM _refuse_without_admin();
    PERFORM _audit(p_action, NULL, 'ok', _describe_operator(p_name, p_permissions, p_key_roles),
                   'operator ' || p_name, _operator_seal(o));
END $$;

CREATE FUNCTION remove_operator(p_name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
    PERFORM _named(p_name);
    DELETE FROM operator WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
    PERFORM _refuse_without_admin();
    PERFORM _audit('users remove', NULL, 'ok', p_name, 'operator ' || p_name, 'removed');
END $$;

CREATE FUNCTION audit_entries(p_key_id text, p_operator text, p_since bigint)
RETURNS TABLE (seq bigint, at bigint, operator text, action text, key_id text, outcome text,
               detail text, prev_hash text, hash text, subject text, seal text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY SELECT a.seq, a.at, a.operator, a.action, a.key_id, a.outcome, a.detail,
                        a.prev_hash, a.hash, a.subject, a.seal
                 FROM audit a
                 WHERE (p_key_id IS NULL OR a.key_id = p_key_id)
                   AND (p_operator IS NULL OR a.operator = p_operator)
                   AND (p_since IS NULL OR a.at >= p_since)
                 ORDER BY a.seq;
END $$;

CREATE FUNCTION audit_last_seq() RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('view');
    RETURN (SELECT last_seq FROM audit_head);
END $$;

-- Every key and operator row that is not as the audit entry that last
-- sealed it recorded, and every row an entry sealed that is gone, for
-- `audit --verify`.
CREATE FUNCTION tampered() RETURNS TABLE (subject text, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('view');
    RETURN QUERY
        SELECT s.subject, s.problem FROM (
            SELECT 'key ' || k.id AS subject, _seal_problem('key ' || k.id, k) AS problem
            FROM api_key k
            UNION ALL
            SELECT 'operator ' || o.name, _operator_seal_problem('operator ' || o.name, o)
            FROM operator o
            UNION ALL
            SELECT g.subject, _seal_problem(g.subject, NULL::api_key)
            FROM (SELECT DISTINCT a.subject FROM audit a WHERE a.subject LIKE 'key %') g
            WHERE NOT EXISTS (SELECT 1 FROM api_key k WHERE 'key ' || k.id = g.subject)
            UNION ALL
            SELECT g.subject, _operator_seal_problem(g.subject, NULL::operator)
            FROM (SELECT DISTINCT a.subject FROM audit a WHERE a.subject LIKE 'operator %') g
            WHERE NOT EXISTS (SELECT 1 FROM operator o WHERE 'operator ' || o.name = g.subject)
        ) s
        WHERE s.problem IS NOT NULL
        ORDER BY s.subject COLLATE "C";
END $$;

-- Seals each key and operator row that the last entry about it did not
-- seal as this store digests it, one entry each: what `migrate` writes
-- after moving rows here from a store that digested them otherwise (it
-- refuses a store whose rows disagree with their seals). Called by `init`
-- only, as the owner.
CREATE FUNCTION _seal_all(p_detail text) RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
DECLARE
    k api_key%ROWTYPE;
    o operator%ROWTYPE;
BEGIN
    FOR k IN SELECT * FROM api_key a WHERE _seal_problem('key ' || a.id, a) IS NOT NULL
             ORDER BY a.id COLLATE "C" LOOP
        PERFORM _audit('seal', k.id, 'ok', 'key ' || k.id || ': ' || p_detail,
                       'key ' || k.id, _key_seal(k));
    END LOOP;
    FOR o IN SELECT * FROM operator p WHERE _operator_seal_problem('operator ' || p.name, p) IS NOT NULL
             ORDER BY p.name COLLATE "C" LOOP
        PERFORM _audit('seal', NULL, 'ok', 'operator ' || o.name || ': ' || p_detail,
                       'operator ' || o.name, _operator_seal(o));
    END LOOP;
END $$;

-- Only the owner runs the helpers; only the store's operators call what
-- they are meant to.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @schema@ FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_key(text, text, text, text), mark_issued(text),
    discard_unissued(text), list_keys(bigint, boolean), find_key(text), count_flagged(bigint, bigint),
    renew_keys(text[]), delete_keys(text[]), revoke_found(text[], text[]), operators(),
    add_operator(text, text, text), update_operator(text, text, text, text), remove_operator(text),
    lock_operator(text), audit_entries(text, text, bigint), audit_last_seq(), tampered(),
    begin_rotation(text, text, text), finish_rotation(text, text, bigint), record_use(text, bigint),
    keys_named(text, boolean, bigint, text[])
    TO @operators@;
GRANT USAGE ON SCHEMA @schema@ TO PUBLIC;
GRANT EXECUTE ON FUNCTION whoami(), record_refusal(text, text, text), server_now() TO PUBLIC;
