-- The address a sandbox's published preview ports listen on (the worker's preview address).
ALTER TABLE sandbox ADD COLUMN preview_host TEXT;
