-- v2: entries moved here by `migrate` from a SQLite store keep their seals
-- (the subject and digest of the row each wrote, tamper evidence there),
-- which are part of their hashes. Entries written here have none: the
-- server itself guards the rows.
ALTER TABLE audit ADD COLUMN subject text, ADD COLUMN seal text;

DROP FUNCTION audit_entries(text, text, bigint);
CREATE FUNCTION audit_entries(p_key_id text, p_operator text, p_since bigint)
RETURNS TABLE (seq bigint, at bigint, operator text, action text, key_id text, outcome text,
               detail text, prev_hash text, hash text, subject text, seal text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
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
REVOKE ALL ON FUNCTION audit_entries(text, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_entries(text, text, bigint) TO @operators@;
