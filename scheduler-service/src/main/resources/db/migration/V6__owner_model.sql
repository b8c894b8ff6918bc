-- The owner model (docs/security.md, "The owner model"): an owner is tenant:key for what a key
-- creates for itself and tenant:key:user for what it creates for its end user, where key is the
-- key's name with '%', ':' and '@' percent-encoded. Before, an owner was tenant:x, x being the
-- key's name or the end user's id, so a key could name another key as its end user.
--
-- An old tenant:x is the own record of key x when a key of that tenant is named x (revoked keys
-- included: a key made again under the same name is the same identity) or x is the bootstrap
-- administrator; then it becomes tenant:encoded(x), for names without '%', ':' and '@' the same
-- string. Otherwise it was an end user's, and which key created it cannot be known: it becomes
-- tenant::x, an owner no key can act as (no key name is empty), which only the tenant's operators
-- and the administrators see. The keys live in the gateway's schema (${gateway_schema}); when it
-- is not there, no key is known and every old record takes the safe mapping.

CREATE TEMPORARY TABLE owner_v6_known_key (tenant TEXT NOT NULL, name TEXT NOT NULL) ON COMMIT DROP;

DO $$
BEGIN
    IF to_regclass('${gateway_schema}.api_key') IS NOT NULL THEN
        EXECUTE 'INSERT INTO owner_v6_known_key (tenant, name) SELECT DISTINCT tenant, name FROM ${gateway_schema}.api_key';
    END IF;
END
$$;

UPDATE sandbox s
SET owner_id = CASE
        WHEN EXISTS (SELECT 1 FROM owner_v6_known_key k
                     WHERE k.tenant = split_part(s.owner_id, ':', 1)
                       AND k.name = substr(s.owner_id, position(':' IN s.owner_id) + 1))
          OR substr(s.owner_id, position(':' IN s.owner_id) + 1) = 'bootstrap-admin'
        THEN split_part(s.owner_id, ':', 1) || ':'
             || replace(replace(replace(substr(s.owner_id, position(':' IN s.owner_id) + 1), '%', '%25'), ':', '%3A'), '@', '%40')
        ELSE split_part(s.owner_id, ':', 1) || '::' || substr(s.owner_id, position(':' IN s.owner_id) + 1)
    END
WHERE position(':' IN s.owner_id) > 1;

-- The key and tenant of each owner, for the per-key and per-tenant limits and listings.
ALTER TABLE sandbox ADD COLUMN owner_tenant TEXT;
ALTER TABLE sandbox ADD COLUMN owner_key TEXT;
UPDATE sandbox SET owner_tenant = split_part(owner_id, ':', 1),
                   owner_key = split_part(owner_id, ':', 1) || ':' || split_part(owner_id, ':', 2);
ALTER TABLE sandbox ALTER COLUMN owner_tenant SET NOT NULL;
ALTER TABLE sandbox ALTER COLUMN owner_key SET NOT NULL;

CREATE INDEX sandbox_key_live ON sandbox (owner_key) WHERE state <> 'destroyed';
CREATE INDEX sandbox_tenant_live ON sandbox (owner_tenant) WHERE state <> 'destroyed';
