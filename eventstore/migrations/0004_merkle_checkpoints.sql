-- The Merkle tree over the log (RFC 9162) and the signed checkpoints of it (eventstore/merkle.py,
-- eventstore/checkpoint.py). Both are written only when a checkpoint is minted, from the rows
-- since the last one, so append_events() is unchanged and appends pay nothing for the tree.
--
-- merkle_nodes holds every perfect subtree: (level, index) is the root of leaves
-- [index * 2^level, (index + 1) * 2^level), leaf i being the row at position i + 1. About two
-- rows per event; any proof reads O(log n) of them. Nothing trusts them: proofs check against a
-- signed root, and verification recomputes roots from the events themselves.

CREATE TABLE merkle_nodes (
    level  smallint NOT NULL CHECK (level >= 0 AND level < 64),
    index  bigint   NOT NULL CHECK (index >= 0),
    hash   bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, index)
);

CREATE TABLE checkpoints (
    tree_size  bigint      PRIMARY KEY CHECK (tree_size >= 0),
    root_hash  bytea       NOT NULL CHECK (length(root_hash) = 32),
    minted_at  timestamptz NOT NULL,
    note       text        NOT NULL
);

CREATE TRIGGER merkle_nodes_refuse_update_delete
    BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER merkle_nodes_refuse_truncate
    BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER checkpoints_refuse_update_delete
    BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER checkpoints_refuse_truncate
    BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();

GRANT SELECT ON merkle_nodes, checkpoints TO concordat_auditor;
-- The service mints checkpoints: it adds nodes and checkpoints (the triggers keep them as
-- written); it can neither change nor remove one.
GRANT SELECT, INSERT ON merkle_nodes, checkpoints TO concordat_app;

-- One minter at a time: the lock is taken by the owner's function, as append_events takes its
-- own, so the service needs no advisory lock functions of its own (0003 revokes them).
CREATE FUNCTION checkpoint_mint_lock() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
    AS 'SELECT pg_advisory_xact_lock(7310598520342133107)';
REVOKE EXECUTE ON FUNCTION checkpoint_mint_lock() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION checkpoint_mint_lock() TO concordat_app;

-- Each row names the canonical JSON its hashes were computed over (eventstore/hashing.py): 1 for
-- rows recorded before this migration, 2 (RFC 8785) for every row after. Adding the column with
-- default 1 rewrites no row (the append-only triggers see no UPDATE); the new default then
-- applies to every insert append_events() makes, which needs no change. Not part of the chain:
-- naming the other scheme for a row either changes nothing or breaks its event hash.
ALTER TABLE events ADD COLUMN hash_scheme smallint NOT NULL DEFAULT 1
    CHECK (hash_scheme IN (1, 2));
-- ENABLE ALWAYS like the events' own (0003): a replication session cannot bypass them either.
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_refuse_update_delete;
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_refuse_truncate;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_refuse_update_delete;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_refuse_truncate;
ALTER TABLE events ALTER COLUMN hash_scheme SET DEFAULT 2;
