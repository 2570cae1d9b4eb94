-- The operations centre's own settings. Which tiles a unit's dashboard shows,
-- in order (cell keys, one a line; no row: the default set), and the
-- boundaries of units loaded from GeoJSON for maps (a JSON array of polygons,
-- each an array of rings of [longitude, latitude] points, WGS84). The same
-- text on both backends.
CREATE TABLE dashboard_tiles (
    unit_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    cells TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);

CREATE TABLE unit_boundaries (
    unit_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    level TEXT NOT NULL,
    geometry TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);
CREATE INDEX unit_boundaries_level ON unit_boundaries (level);
