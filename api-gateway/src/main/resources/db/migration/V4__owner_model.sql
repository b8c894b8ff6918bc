-- The owner model (docs/security.md, "The owner model"): an owner is tenant:key for what a key
-- creates for itself and tenant:key:user for what it creates for its end user, where key is the
-- key's name with '%', ':' and '@' percent-encoded. Before, an owner was tenant:x, x being the
-- key's name or the end user's id, so a key could name another key as its end user.
--
-- An old tenant:x is the own record of key x when a key of that tenant is named x (revoked keys
-- included) or x is the bootstrap administrator: it becomes tenant:encoded(x), for names without
-- '%', ':' and '@' the same string. Otherwise it was an end user's, created by a key that cannot
-- be known: it becomes tenant::x, an owner no key can act as (no key name is empty). The
-- scheduler's V6 maps its sandboxes the same way.

CREATE TEMPORARY TABLE owner_v4_mapping (old_owner TEXT PRIMARY KEY, new_owner TEXT NOT NULL) ON COMMIT DROP;

INSERT INTO owner_v4_mapping (old_owner, new_owner)
SELECT o.owner_id,
       CASE
           WHEN EXISTS (SELECT 1 FROM api_key k
                        WHERE k.tenant = split_part(o.owner_id, ':', 1)
                          AND k.name = substr(o.owner_id, position(':' IN o.owner_id) + 1))
             OR substr(o.owner_id, position(':' IN o.owner_id) + 1) = 'bootstrap-admin'
           THEN split_part(o.owner_id, ':', 1) || ':'
                || replace(replace(replace(substr(o.owner_id, position(':' IN o.owner_id) + 1), '%', '%25'), ':', '%3A'), '@', '%40')
           ELSE split_part(o.owner_id, ':', 1) || '::' || substr(o.owner_id, position(':' IN o.owner_id) + 1)
       END
FROM (SELECT owner_id FROM template UNION SELECT owner_id FROM quota) o
WHERE position(':' IN o.owner_id) > 1;

UPDATE template t SET owner_id = m.new_owner FROM owner_v4_mapping m WHERE t.owner_id = m.old_owner;
UPDATE quota q SET owner_id = m.new_owner FROM owner_v4_mapping m WHERE q.owner_id = m.old_owner;

-- Limits on what all owners of one key (scope 'key', subject tenant:key) or of one tenant (scope
-- 'tenant', subject the tenant) hold together, beside each owner's own quota. NULL: no limit.
CREATE TABLE scope_quota (
    scope               TEXT        NOT NULL CHECK (scope IN ('key', 'tenant')),
    subject             TEXT        NOT NULL,
    max_sandboxes       INTEGER,
    max_memory_mb       INTEGER,
    max_vcpus           INTEGER,
    requests_per_minute INTEGER,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, subject)
);
