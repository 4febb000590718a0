-- Rollouts as the rollout flow records them (src/rollout). 001 sketched the table
-- before anything rolled out; no release wrote it, so its status list, its
-- one-unfinished-per-version index and its plan column are reshaped here.
ALTER TABLE rollouts DROP CONSTRAINT rollouts_status_check;
ALTER TABLE rollouts ADD CONSTRAINT rollouts_status_check
  CHECK (status IN ('running', 'waiting', 'paused', 'halted', 'rolled_back', 'succeeded', 'aborted', 'superseded'));
ALTER TABLE rollouts ALTER COLUMN status SET DEFAULT 'running';
-- One rollout per version, ever: a retried publish or a redelivered webhook finds it.
DROP INDEX rollouts_one_unfinished_per_version;
CREATE UNIQUE INDEX rollouts_one_per_version ON rollouts (owner, template, major, minor);
-- The resync re-enqueues the ticks of what is unfinished.
CREATE INDEX rollouts_unfinished ON rollouts (id) WHERE status NOT IN ('succeeded', 'aborted', 'superseded');
ALTER TABLE rollouts ADD COLUMN auto_rollback boolean NOT NULL DEFAULT false;
-- Gates opened by an authorized `/rollout <stage>`: [{ stage, by, at, commentUrl }].
ALTER TABLE rollouts ADD COLUMN approvals jsonb NOT NULL DEFAULT '[]';
-- Where the version was published: { repository, pullRequest, author, commit }.
ALTER TABLE rollouts ADD COLUMN origin jsonb NOT NULL DEFAULT '{}';
ALTER TABLE rollouts ADD COLUMN reason text;

-- Each resource a rollout reaches, with its current attempt (a resume after a failure
-- starts another) and the verdict of its verification.
CREATE TABLE rollout_targets (
  owner        text NOT NULL,
  rollout_id   bigint NOT NULL,
  resource     text NOT NULL,
  stage        text NOT NULL,
  attempt      integer NOT NULL DEFAULT 0,
  verdict      text CHECK (verdict IN ('passed', 'failed', 'inconclusive')),
  verified_at  timestamptz,
  verification text,
  PRIMARY KEY (owner, rollout_id, resource),
  FOREIGN KEY (owner, rollout_id) REFERENCES rollouts (owner, id),
  CHECK ((verdict IS NULL) = (verified_at IS NULL))
);

-- A rollout's deployment names its attempt; a rollback is marked as one.
ALTER TABLE deployments ADD COLUMN rollout_attempt integer;
ALTER TABLE deployments ADD COLUMN rollback boolean NOT NULL DEFAULT false;
ALTER TABLE deployments ADD CONSTRAINT deployments_rollout_attempt CHECK ((rollout_id IS NULL) = (rollout_attempt IS NULL));
-- Exactly one deployment (and one rollback) per resource and attempt of a rollout, however often a tick runs.
CREATE UNIQUE INDEX deployments_one_per_rollout_attempt ON deployments (owner, rollout_id, resource, rollout_attempt, rollback)
  WHERE rollout_id IS NOT NULL;

-- A rollback holds its resource: later rollouts skip it until a person resumes.
ALTER TABLE resources ADD COLUMN held text;
ALTER TABLE resources ADD COLUMN held_by bigint;
