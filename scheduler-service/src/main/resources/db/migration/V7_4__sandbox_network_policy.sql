-- The effective egress policy (NetworkPolicy as JSON) of a network "bridge" sandbox, already bounded
-- by its tenant's. NULL without a network; a bridge sandbox from before policies has open egress.
ALTER TABLE sandbox ADD COLUMN network_policy JSONB;
