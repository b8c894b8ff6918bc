-- A tenant's image policy (ImagePolicy as JSON): the allow and deny patterns of the image references
-- its sandboxes, templates and builds may name. No row: any image.
CREATE TABLE tenant_image_policy (
    tenant     TEXT PRIMARY KEY,
    policy     JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
