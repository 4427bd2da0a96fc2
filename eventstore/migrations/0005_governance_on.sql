-- Each row's governance date (the day the event speaks of: signed, notice given, the meeting
-- held; else the UTC date it occurred; eventstore/codec.py::governance_date), so that a replay
-- "as of" a date reads each stream only up to its first event dated after it (docs/audit.md,
-- section 4). Filled by append_events() from what the client computed; NULL for the rows
-- recorded before this migration (adding a NULL column rewrites no row), which the replay reads
-- and decides in Python as before. Not hashed: it is derived from the hashed data, and
-- EventStore.verify recomputes it for every row, so a changed date cannot hide an event from an
-- "as of" report without verification failing.
ALTER TABLE events ADD COLUMN governance_on date;

-- append_events() takes the dates as one more array. The old signature stays, appending
-- without dates (as rows from before this migration are), for the workers of the release before,
-- which keep serving until the new build is promoted (docs/upgrades.md); see the end.
CREATE FUNCTION append_events(
    p_stream_id       text,
    p_expected        bigint,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_data            jsonb[],
    p_metadata        jsonb[],
    p_occurred_at     timestamptz[],
    p_event_hashes    bytea[],
    p_metadata_hashes bytea[],
    p_governance_on   date[]
) RETURNS TABLE (out_position bigint, out_version bigint, out_replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    n            integer := cardinality(p_event_ids);
    found_count  integer;
    same_count   integer;
    current      bigint;
    head_pos     bigint;
    head_hash    bytea;
    now_us       bigint;
    positions    bigint[] := '{}';
    versions     bigint[] := '{}';
    chain        bytea[] := '{}';
    i            integer;
    inserted     integer;
BEGIN
    IF n IS NULL OR n = 0 THEN
        RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = 'CC004';
    END IF;
    IF cardinality(p_governance_on) IS DISTINCT FROM n THEN
        RAISE EXCEPTION 'an append needs one governance date per event' USING ERRCODE = 'CC004';
    END IF;

    -- 'concordat.events' as a 64-bit key; one lock serialises every append to the log.
    PERFORM pg_advisory_xact_lock(7310598520342133105);

    SELECT coalesce(max(e.version), 0) INTO current FROM events e WHERE e.stream_id = p_stream_id;
    IF current <> p_expected THEN
        -- A retried append finds its events in their places; anything else is a conflict.
        SELECT count(*), count(*) FILTER (
                   WHERE e.stream_id = p_stream_id
                     AND e.version = p_expected + k.ord
                     AND e.event_hash = p_event_hashes[k.ord])
          INTO found_count, same_count
          FROM unnest(p_event_ids) WITH ORDINALITY AS k(id, ord)
          JOIN events e ON e.event_id = k.id;
        IF found_count = n AND same_count = n THEN
            RETURN QUERY
                SELECT e.position, e.version, true
                  FROM unnest(p_event_ids) WITH ORDINALITY AS k(id, ord)
                  JOIN events e ON e.event_id = k.id
                 ORDER BY k.ord;
            RETURN;
        END IF;
        IF found_count > 0 THEN
            RAISE EXCEPTION 'event id already recorded with different content or place'
                USING ERRCODE = 'CC002';
        END IF;
        RAISE EXCEPTION 'stream % is at version %, expected %', p_stream_id, current, p_expected
            USING ERRCODE = 'CC001', DETAIL = current::text;
    END IF;

    SELECT e.position, e.chain_hash INTO head_pos, head_hash
      FROM events e ORDER BY e.position DESC LIMIT 1;
    head_pos := coalesce(head_pos, 0);
    head_hash := coalesce(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    now_us := (extract(epoch FROM now()) * 1000000)::bigint;

    FOR i IN 1..n LOOP
        positions := positions || (head_pos + i);
        versions := versions || (p_expected + i);
        head_hash := sha256(head_hash || int8send(head_pos + i) || int8send(now_us)
                            || p_event_hashes[i] || p_metadata_hashes[i]);
        chain := chain || head_hash;
    END LOOP;

    INSERT INTO events (position, stream_id, version, event_id, event_type, schema_version, data,
                        metadata, occurred_at, recorded_at, event_hash, metadata_hash, chain_hash,
                        governance_on)
    SELECT u.pos, p_stream_id, u.ver, u.id, u.typ, u.sv, u.dat, u.meta, u.occ,
           now(), u.eh, u.mh, u.ch, u.gov
      FROM unnest(positions, versions, p_event_ids, p_types, p_schema_versions, p_data, p_metadata,
                  p_occurred_at, p_event_hashes, p_metadata_hashes, chain, p_governance_on)
           AS u(pos, ver, id, typ, sv, dat, meta, occ, eh, mh, ch, gov)
    ON CONFLICT (event_id) DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted <> n THEN
        -- An id recorded elsewhere in the log (or twice in this batch): roll it all back.
        RAISE EXCEPTION 'event id already recorded with different content or place'
            USING ERRCODE = 'CC002';
    END IF;

    RETURN QUERY SELECT unnest(positions), unnest(versions), false;
END;
$$;

-- As 0001 and 0003 granted the old signature: only the service may append.
REVOKE ALL ON FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[],
                                     timestamptz[], bytea[], bytea[], date[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[],
                                        timestamptz[], bytea[], bytea[], date[]) TO concordat_app;

-- The old signature, for the workers of the release before during a rollout: the same append,
-- every governance date unknown. CREATE OR REPLACE keeps its grants (0001, 0003).
CREATE OR REPLACE FUNCTION append_events(
    p_stream_id       text,
    p_expected        bigint,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_data            jsonb[],
    p_metadata        jsonb[],
    p_occurred_at     timestamptz[],
    p_event_hashes    bytea[],
    p_metadata_hashes bytea[]
) RETURNS TABLE (out_position bigint, out_version bigint, out_replayed boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT * FROM append_events(
        p_stream_id, p_expected, p_event_ids, p_types, p_schema_versions, p_data, p_metadata,
        p_occurred_at, p_event_hashes, p_metadata_hashes,
        array_fill(NULL::date, ARRAY[coalesce(cardinality(p_event_ids), 0)]))
$$;
