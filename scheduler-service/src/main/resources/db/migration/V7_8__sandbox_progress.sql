-- While a sandbox is creating: how far its create has come (the pull of its image), as its worker
-- last said. Cleared when it runs.
ALTER TABLE sandbox ADD COLUMN progress TEXT;
