-- The digest of the image a sandbox runs, as its worker answered when it started it: the registry's
-- manifest digest, or the image id of an image built on the worker. NULL until it runs.
ALTER TABLE sandbox ADD COLUMN image_digest TEXT;
