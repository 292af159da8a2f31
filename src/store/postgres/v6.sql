-- v6: find_key, which every verify calls once on a fresh connection, is a
-- SQL function, its permission check included: a plpgsql one
-- costs a new backend about 2 ms to load the language and compile it.
-- Same rows, same checks and same errors as v3's; a refusal still raises
-- through plpgsql (`_refuse`), which is then loaded only to refuse.

-- Raises _require's error for a caller lacking `wanted`.
CREATE FUNCTION _refuse(wanted text) RETURNS boolean LANGUAGE plpgsql
SET search_path = pg_catalog, @schema@ AS $$
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
SET search_path = pg_catalog, @schema@ AS $$
    SELECT _refuse(wanted)
$$;

REVOKE ALL ON FUNCTION _refuse(text), _deny(text) FROM PUBLIC;

-- OR REPLACE keeps the function's owner and grants.
CREATE OR REPLACE FUNCTION find_key(p_id text)
RETURNS TABLE (id text, name text, roles text, secret_hash text, created_at bigint,
               renewed_at bigint, freezes_at bigint, issued boolean, retires_at bigint,
               replaced_by text, last_used_at bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
    -- _require('verify'), in SQL: any permission holds verify.
    SELECT CASE WHEN EXISTS (
        SELECT 1 FROM operator o
        WHERE o.name = session_user::text
          AND cardinality(string_to_array(o.permissions, ',')) > 0)
    THEN true ELSE _deny('verify') END;
    SELECT k.id, k.name, k.roles, k.secret_hash, k.created_at, k.renewed_at,
           k.freezes_at, k.issued, k.retires_at, k.replaced_by, k.last_used_at
    FROM api_key k WHERE k.id = p_id;
$$;
