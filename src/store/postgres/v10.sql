-- v10: every function of the store searches the caller's temporary schema
-- last. A search_path that does not name pg_temp has it searched first, so
-- inside a SECURITY DEFINER function a temporary table the caller made and
-- opened to PUBLIC, named like one of the store's (`operator`, `setting`),
-- stood in for it: a role that may only verify could act as an
-- administrator, or set the store's clock. Set on every function in the
-- schema, whichever migration made it; a later migration that replaces a
-- function must name pg_temp last in its own SET clause.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = to_regnamespace('@schema@')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, @schema@, pg_temp', f);
    END LOOP;
END $$;
