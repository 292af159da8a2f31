-- v8: a freeze date is honoured up to 15 minutes beyond 90 days from the
-- caller's now (`key::CLOCK_SLACK_SECONDS`): the store's clock, which sets
-- freeze dates, may run a little ahead of the client's, which reads them.
-- Otherwise as v3's.
CREATE OR REPLACE FUNCTION count_flagged(p_now bigint, p_by bigint)
RETURNS TABLE (issued bigint, frozen bigint, expiring bigint, retiring bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, @schema@ AS $$
BEGIN
    PERFORM _require('verify');
    RETURN QUERY SELECT count(*),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND (k.freezes_at <= p_now OR k.freezes_at > p_now + 90 * 86400 + 900)),
                        count(*) FILTER (WHERE k.retires_at IS NULL
                                           AND k.freezes_at > p_now AND k.freezes_at <= p_by
                                           AND k.freezes_at <= p_now + 90 * 86400 + 900),
                        count(*) FILTER (WHERE k.retires_at IS NOT NULL)
                 FROM api_key k WHERE k.issued AND (k.retires_at IS NULL OR k.retires_at > p_now);
END $$;
