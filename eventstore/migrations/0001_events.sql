-- The append-only, hash-chained event log (DESIGN.md principle 3).
--
-- Writers go through append_events(), which takes one transaction-scoped advisory lock for the
-- whole log: positions are assigned under that lock and the lock is released only after the
-- commit is visible, so positions become visible in order and a reader tailing by position never
-- skips a late commit. The same lock makes the hash chain a single line.

CREATE TABLE events (
    position        bigint      PRIMARY KEY,
    stream_id       text        NOT NULL CHECK (stream_id <> ''),
    version         bigint      NOT NULL CHECK (version >= 1),
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL CHECK (event_type <> ''),
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    event_hash      bytea       NOT NULL CHECK (length(event_hash) = 32),
    metadata_hash   bytea       NOT NULL CHECK (length(metadata_hash) = 32),
    chain_hash      bytea       NOT NULL CHECK (length(chain_hash) = 32),
    UNIQUE (stream_id, version)
);

CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is refused', TG_OP
        USING ERRCODE = 'CC003';
END;
$$;

CREATE TRIGGER events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();

CREATE TRIGGER events_refuse_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();

-- Appends a batch to one stream. Hashes of each event's content and metadata are computed by the
-- client from a canonical serialisation (eventstore/hashing.py); the chain link is
--   sha256(previous chain hash || position || recorded_at in microseconds || event hash || metadata hash)
-- with integers as 8-byte big-endian, so verify() can recompute it without trusting this function.
--
-- Idempotent on event id: a batch whose ids are all recorded with the same event hash returns the
-- recorded positions and writes nothing (a retried activity); any other overlap is an error.
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
    p_metadata_hashes bytea[]
) RETURNS TABLE (out_position bigint, out_version bigint, out_replayed boolean)
LANGUAGE plpgsql AS $$
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
                        metadata, occurred_at, recorded_at, event_hash, metadata_hash, chain_hash)
    SELECT u.pos, p_stream_id, u.ver, u.id, u.typ, u.sv, u.dat, u.meta, u.occ,
           now(), u.eh, u.mh, u.ch
      FROM unnest(positions, versions, p_event_ids, p_types, p_schema_versions, p_data, p_metadata,
                  p_occurred_at, p_event_hashes, p_metadata_hashes, chain)
           AS u(pos, ver, id, typ, sv, dat, meta, occ, eh, mh, ch)
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

-- Auditors read and verify; they can change nothing (issue 2, DESIGN.md principle 3).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'concordat_auditor') THEN
        CREATE ROLE concordat_auditor LOGIN;
    END IF;
END;
$$;

REVOKE ALL ON FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[],
                                     timestamptz[], bytea[], bytea[]) FROM PUBLIC;
GRANT SELECT ON events TO concordat_auditor;
