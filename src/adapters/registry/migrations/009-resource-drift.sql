-- The last drift check of each resource: whether what runs is still what its
-- last successful deployment made, what differs, and when it was looked at.
-- A resource that is deleted from the inventory takes its check with it.
CREATE TABLE resource_drift (
  owner       text NOT NULL,
  resource    text NOT NULL,
  deployment  bigint NOT NULL REFERENCES deployments (id),
  state       text NOT NULL CHECK (state IN ('in_sync', 'drifted', 'unknown')),
  findings    jsonb NOT NULL,
  checked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, resource),
  FOREIGN KEY (owner, resource) REFERENCES resources (owner, key) ON DELETE CASCADE
);
