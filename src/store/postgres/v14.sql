-- v14: every change to a key is announced, so that `serve` can drop what it
-- cached about that key. NOTIFY is sent at commit, in the changing
-- transaction, with the key's ID as payload; a rolled-back change sends
-- nothing. Recording a key's last use changes nothing a verification
-- answers, and is not announced. A TRUNCATE announces `*`: every key.
-- Self-contained (one function, two triggers) so that it can be folded into
-- a squashed schema as it is.
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
REVOKE ALL ON FUNCTION _announce_key_change() FROM PUBLIC;

CREATE TRIGGER api_key_announce_change
AFTER INSERT OR UPDATE OR DELETE ON api_key
FOR EACH ROW EXECUTE FUNCTION _announce_key_change();

CREATE TRIGGER api_key_announce_truncate
AFTER TRUNCATE ON api_key
FOR EACH STATEMENT EXECUTE FUNCTION _announce_key_change();
