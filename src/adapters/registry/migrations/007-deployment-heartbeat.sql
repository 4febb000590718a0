-- A deployment whose provisioner runs inside a worker (the `command` provisioner)
-- is alive while that worker beats: a run that stopped beating died with its
-- worker, and is started again under the same row (at most a few times), so a
-- killed worker costs time, never a failed deployment or a second one.
ALTER TABLE deployments ADD COLUMN heartbeat_at timestamptz;
ALTER TABLE deployments ADD COLUMN restarts integer NOT NULL DEFAULT 0;
