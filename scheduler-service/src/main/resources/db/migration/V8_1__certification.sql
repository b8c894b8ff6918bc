-- Runtime certification (docs/certification.md): the provider/runtime pairs certified on each
-- worker's host, as it last advertised, and whether each sandbox was placed on a certified pair
-- (null: recorded before certification existed).
ALTER TABLE worker ADD COLUMN certified JSONB NOT NULL DEFAULT '[]';
ALTER TABLE sandbox ADD COLUMN certified BOOLEAN;
