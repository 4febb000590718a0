-- Work an entry point asked for (a review of a push, a publish of a merge), recorded
-- before the webhook is acknowledged and marked finished by the job that does it. The
-- queue only carries it: when a job is lost (a flushed Redis, an in-process queue that
-- restarted, a job that failed for good), the periodic resync finds it here and queues
-- it again. Each row belongs to the owner whose repository asked for it.
CREATE TABLE requested_work (
  kind         text NOT NULL,
  -- The job's id: the one thing it advances (its dedup key in the queue).
  id           text NOT NULL,
  owner        text NOT NULL CHECK (owner <> '' AND owner = lower(owner)),
  -- The job's data, as the queue carries it.
  data         jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (kind, id),
  CHECK ((status = 'pending') = (finished_at IS NULL))
);
-- The resync reads what is still pending, oldest first.
CREATE INDEX requested_work_pending ON requested_work (created_at) WHERE status = 'pending';
