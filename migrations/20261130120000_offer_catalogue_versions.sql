-- A version per region of what matching reads, so the app can keep a region's open offers in
-- memory and know, with one small query, whether its copy is still exact (offer::Catalogue).
--
-- Matching ranks every approved, open offer of the region with free places: about 900 at
-- Flanders scale, read with their taken places, organisation and municipality (3 ms, most of
-- the page). The version changes in the same transaction as anything that changes that list:
-- an offer, a placement taken from an offer, an organisation's name or activity, a
-- municipality's name. A copy with the current version is therefore exactly what the query
-- would return (for the same day). Each change locks the region's row until it commits; such
-- changes are rare next to hour entries, which do not touch it.
CREATE TABLE offer_catalogue_versions (
    region_id  uuid PRIMARY KEY REFERENCES regions (id) ON DELETE CASCADE,
    version    bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION offer_catalogue_bump(region uuid) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO offer_catalogue_versions AS v (region_id, version) VALUES (region, 1)
    ON CONFLICT (region_id) DO UPDATE SET version = v.version + 1;
$$;

CREATE FUNCTION offer_catalogue_offer_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM offer_catalogue_bump(OLD.region_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.region_id <> OLD.region_id) THEN
        PERFORM offer_catalogue_bump(NEW.region_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER offer_catalogue_offer_changed AFTER INSERT OR UPDATE OR DELETE ON offers
    FOR EACH ROW EXECUTE FUNCTION offer_catalogue_offer_changed();

-- Taken places: a placement of an offer that is added, removed, changes status or offer.
CREATE FUNCTION offer_catalogue_placement_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.offer_id IS NOT NULL THEN
        PERFORM offer_catalogue_bump(o.region_id) FROM offers o WHERE o.id = OLD.offer_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.offer_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.offer_id IS DISTINCT FROM OLD.offer_id) THEN
        PERFORM offer_catalogue_bump(o.region_id) FROM offers o WHERE o.id = NEW.offer_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER offer_catalogue_placement_added AFTER INSERT OR DELETE ON placements
    FOR EACH ROW EXECUTE FUNCTION offer_catalogue_placement_changed();
CREATE TRIGGER offer_catalogue_placement_changed AFTER UPDATE OF status, offer_id ON placements
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION offer_catalogue_placement_changed();

-- Matching shows the organisation's name and leaves out inactive organisations.
CREATE FUNCTION offer_catalogue_organisation_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM offer_catalogue_bump(r.region_id)
    FROM (SELECT DISTINCT region_id FROM offers WHERE organisation_id = NEW.id) r;
    RETURN NULL;
END;
$$;

CREATE TRIGGER offer_catalogue_organisation_changed AFTER UPDATE OF name, active ON organisations
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION offer_catalogue_organisation_changed();

-- Matching shows the offer's municipality by name.
CREATE FUNCTION offer_catalogue_municipality_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM offer_catalogue_bump(r.region_id)
    FROM (SELECT DISTINCT region_id FROM offers WHERE municipality_id = NEW.id) r;
    RETURN NULL;
END;
$$;

CREATE TRIGGER offer_catalogue_municipality_renamed AFTER UPDATE OF name ON municipalities
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION offer_catalogue_municipality_renamed();
