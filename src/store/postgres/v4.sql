-- v4: a refusal about one key names it, so that `show` tells it in the
-- key's history as on SQLite; and a key given by its name is found with
-- the permissions of the command given it (renew, delete, rotate: create
-- and delete, show: view), as on SQLite, rather than only with `view`.

DROP FUNCTION record_refusal(text, text);
-- Records a refusal the client decided, about the key `p_key_id` when it
-- concerned one. Anyone may: it says only that the caller was refused.
CREATE FUNCTION record_refusal(p_action text, p_key_id text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _audit(left(p_action, 64),
                   CASE WHEN p_key_id ~ '^[A-Za-z0-9]{12}$' THEN p_key_id END,
                   'refused', left(p_detail, 1000));
END $$;
GRANT EXECUTE ON FUNCTION record_refusal(text, text, text) TO PUBLIC;

-- The keys not retired at `p_live_at` named exactly `p_name`, or, when
-- `p_similar`, the first five whose names resemble it (the same but for
-- case, or one containing the other: `key::resembles`), freezing soonest
-- first. For a caller holding every permission of `p_permissions`, those
-- of the command the name was given to: any that takes a key will do, so
-- a name reveals no more than the IDs of a few keys.
CREATE FUNCTION keys_named(p_name text, p_similar boolean, p_live_at bigint, p_permissions text[])
RETURNS TABLE (id text, name text, roles text, created_at bigint, renewed_at bigint,
               freezes_at bigint, issued boolean, retires_at bigint, replaced_by text,
               last_used_at bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
DECLARE
    wanted text;
BEGIN
    IF coalesce(cardinality(p_permissions), 0) = 0
       OR NOT p_permissions <@ ARRAY['view', 'create', 'renew', 'delete'] THEN
        RAISE EXCEPTION 'a key is found by name for view, create, renew or delete, not %', p_permissions
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH wanted IN ARRAY p_permissions LOOP
        PERFORM _require(wanted);
    END LOOP;
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
REVOKE ALL ON FUNCTION keys_named(text, boolean, bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION keys_named(text, boolean, bigint, text[]) TO @operators@;
