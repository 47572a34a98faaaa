-- Indexes found by the Flanders-scale benchmark (docs/PERFORMANCE.md).

-- The coach choices of the participant page and the participant list's coach filter
-- (`participant::coaches`): a region's active coaches by name, without reading the users table.
CREATE INDEX users_region_coaches_idx ON users (region_id, name, id) WHERE role = 'coach' AND active;

-- Name search within a region (`participant::list` with `q`): one GIN index over region and
-- trigrams, so a common fragment ("ozt") reads only the region's matches instead of every
-- region's matches or the region's whole name index.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX participants_region_search_idx
    ON participants USING gin (region_id, search_name gin_trgm_ops);
