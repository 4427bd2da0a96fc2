-- append_event(): one event, the common case (a workflow records what one command decided), as
-- append_events() would append a batch of one, without its arrays or its set of rows. Each array
-- argument costs a decode on the server and an encode on the client, and a set-returning
-- function a materialised result and a row type: nearly half of what a single append cost in CPU
-- over a plain INSERT (bench/event_store.py --synchronous-commit off). The same lock, checks,
-- chain link and idempotency as append_events() (migrations 0001, 0005), which stays for batches
-- and for the workers of the release before.
--
-- Returns the event's position, negated when the event was already recorded there (a retried
-- append: nothing written), which a position never is: one value, no row type to build or decode.
CREATE FUNCTION append_event(
    p_stream_id       text,
    p_expected        bigint,
    p_event_id        uuid,
    p_type            text,
    p_schema_version  integer,
    p_data            jsonb,
    p_metadata        jsonb,
    p_occurred_at     timestamptz,
    p_event_hash      bytea,
    p_metadata_hash   bytea,
    p_governance_on   date
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    current    bigint;
    head_pos   bigint;
    head_hash  bytea;
    recorded   bigint;
BEGIN
    -- 'concordat.events' as a 64-bit key: the lock every append to the log takes (0001).
    PERFORM pg_advisory_xact_lock(7310598520342133105);

    SELECT coalesce(max(e.version), 0) INTO current FROM events e WHERE e.stream_id = p_stream_id;
    IF current <> p_expected THEN
        -- A retried append finds its event in its place; anything else is a conflict.
        SELECT e.position INTO recorded
          FROM events e
         WHERE e.event_id = p_event_id
           AND e.stream_id = p_stream_id
           AND e.version = p_expected + 1
           AND e.event_hash = p_event_hash;
        IF FOUND THEN
            RETURN -recorded;
        END IF;
        IF EXISTS (SELECT 1 FROM events e WHERE e.event_id = p_event_id) THEN
            RAISE EXCEPTION 'event id already recorded with different content or place'
                USING ERRCODE = 'CC002';
        END IF;
        RAISE EXCEPTION 'stream % is at version %, expected %', p_stream_id, current, p_expected
            USING ERRCODE = 'CC001', DETAIL = current::text;
    END IF;

    SELECT e.position, e.chain_hash INTO head_pos, head_hash
      FROM events e ORDER BY e.position DESC LIMIT 1;
    head_pos := coalesce(head_pos, 0) + 1;
    head_hash := coalesce(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

    -- The chain link exactly as append_events() makes it (eventstore/hashing.py::chain_link).
    INSERT INTO events (position, stream_id, version, event_id, event_type, schema_version, data,
                        metadata, occurred_at, recorded_at, event_hash, metadata_hash, chain_hash,
                        governance_on)
    VALUES (head_pos, p_stream_id, p_expected + 1, p_event_id, p_type, p_schema_version, p_data,
            p_metadata, p_occurred_at, now(), p_event_hash, p_metadata_hash,
            sha256(head_hash || int8send(head_pos)
                   || int8send((extract(epoch FROM now()) * 1000000)::bigint)
                   || p_event_hash || p_metadata_hash),
            p_governance_on)
    ON CONFLICT (event_id) DO NOTHING;
    IF NOT FOUND THEN
        -- The id is recorded elsewhere in the log.
        RAISE EXCEPTION 'event id already recorded with different content or place'
            USING ERRCODE = 'CC002';
    END IF;
    RETURN head_pos;
END;
$$;

-- As 0003 and 0005 granted append_events: only the service may append.
REVOKE ALL ON FUNCTION append_event(text, bigint, uuid, text, integer, jsonb, jsonb, timestamptz,
                                    bytea, bytea, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_event(text, bigint, uuid, text, integer, jsonb, jsonb,
                                       timestamptz, bytea, bytea, date) TO concordat_app;
