-- Warm pools a service asks every worker to keep (the gateway: one per template shape with a
-- pool_size), as ImagePins.WarmPoolDemand JSON. Each PUT of the source's pins replaces its row.
CREATE TABLE warm_pool_demand (
    source     TEXT PRIMARY KEY,
    pools      JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
