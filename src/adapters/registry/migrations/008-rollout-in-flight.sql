-- A finished deployment of a rollout ticks it only when the batch is over (none of the
-- rollout's deployments left unfinished) or when it failed: this answers the first question
-- from the few unfinished rows, however many the rollout has finished.
CREATE INDEX deployments_rollout_unfinished ON deployments (owner, rollout_id)
  WHERE rollout_id IS NOT NULL AND status IN ('pending', 'in_progress', 'delete_pending', 'delete_in_progress');
