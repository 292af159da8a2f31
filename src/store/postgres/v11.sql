-- v11: operator changes one at a time. An administrator's change was
-- computed from the operator as read before its transaction began, and the
-- "an administrator is left" check saw only committed rows: two
-- administrators granting one operator different permissions at once kept
-- one grant, and two taking each other's administration at once left none.
-- Every operator change now locks the operator table against other changes
-- (reads go on) before it reads anything, so each sees the one before it;
-- `lock_operator` reads the operator to change inside that lock, in the
-- transaction that then writes it. The caller's own permission is checked
-- before the lock (so no one else can hold it) and again after it.

CREATE FUNCTION _lock_operators() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _require('admin');
    LOCK TABLE operator IN EXCLUSIVE MODE;
    PERFORM _require('admin');
END $$;
REVOKE ALL ON FUNCTION _lock_operators() FROM PUBLIC;

-- The operator `p_name` as it is, for a change made in the same
-- transaction.
CREATE FUNCTION lock_operator(p_name text) RETURNS TABLE (name text, permissions text, key_roles text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
    RETURN QUERY SELECT o.name, o.permissions, o.key_roles FROM operator o WHERE o.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
END $$;
REVOKE ALL ON FUNCTION lock_operator(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lock_operator(text) TO @operators@;

-- As v1's, one at a time.
CREATE OR REPLACE FUNCTION add_operator(p_name text, p_permissions text, p_key_roles text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
    PERFORM _check_permissions(p_permissions, p_key_roles);
    IF EXISTS (SELECT 1 FROM operator WHERE name = p_name) THEN
        RAISE EXCEPTION '% is already an operator', p_name
            USING ERRCODE = 'IK003', DETAIL = p_name;
    END IF;
    INSERT INTO operator VALUES (p_name, p_permissions, p_key_roles, _now(), session_user::text);
    PERFORM _audit('users add', NULL, 'ok', _describe_operator(p_name, p_permissions, p_key_roles));
END $$;

CREATE OR REPLACE FUNCTION update_operator(p_name text, p_action text, p_permissions text, p_key_roles text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
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

CREATE OR REPLACE FUNCTION remove_operator(p_name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@, pg_temp AS $$
BEGIN
    PERFORM _lock_operators();
    DELETE FROM operator WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not an operator', p_name
            USING ERRCODE = 'IK002', DETAIL = p_name;
    END IF;
    PERFORM _refuse_without_admin();
    PERFORM _audit('users remove', NULL, 'ok', p_name);
END $$;
