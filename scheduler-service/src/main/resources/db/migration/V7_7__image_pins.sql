-- Images no worker's garbage collection may remove, by the service that declared them (the gateway:
-- its default image and every template's image). Each PUT replaces one source's rows.
CREATE TABLE image_pin (
    source     TEXT        NOT NULL,
    image      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, image)
);
