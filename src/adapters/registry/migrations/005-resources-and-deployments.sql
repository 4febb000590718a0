-- The inventory as last reconciled (resources) and every attempt to deploy one
-- (deployments). 001 sketched environments, services, service_instances and
-- deployments before anything deployed; no release wrote them, so they are
-- replaced by one resources table (the three kinds share every column that
-- matters, and a key names each: `payments-prod`, `checkout/checkout-prod`,
-- `checkout/pipeline`) and a deployments table shaped by the deploy flow.
DROP TABLE service_instances;
DROP TABLE services;
DROP TABLE environments;
DROP TABLE deployments;

CREATE TABLE resources (
  owner           text NOT NULL REFERENCES owners (login),
  key             text NOT NULL CHECK (key <> ''),
  kind            text NOT NULL CHECK (kind IN ('environment', 'service_instance', 'service_pipeline')),
  name            text NOT NULL,
  service         text,
  environment     text,
  stage           text,
  template        text NOT NULL,
  -- What the inventory file asks for: `template@major`, or `@major.minor` (a pin).
  template_major  integer NOT NULL,
  pinned_minor    integer,
  inputs          jsonb NOT NULL,
  provisioner     text NOT NULL,
  stack           text,
  -- The repository whose .github/baryon.yml reconciles it: another repository's
  -- reconcile never plans it away, however its own inventory looks.
  source          text NOT NULL,
  declared_file   text NOT NULL,
  declared_line   integer NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key),
  FOREIGN KEY (owner, template) REFERENCES templates (owner, name),
  CHECK ((kind = 'environment') = (service IS NULL)),
  CHECK ((kind = 'service_instance') = (environment IS NOT NULL))
);

-- A deployment reads its environment's instances, or its service's resources: never the whole fleet.
CREATE INDEX resources_environment ON resources (owner, environment) WHERE environment IS NOT NULL;
CREATE INDEX resources_service ON resources (owner, service) WHERE service IS NOT NULL;

CREATE TABLE deployments (
  -- Global (identity), so a deployment has one short name: `baryon logs 42`.
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner            text NOT NULL REFERENCES owners (login),
  -- The resource's key; a deployment outlives a deleted resource's row.
  resource         text NOT NULL,
  action           text NOT NULL CHECK (action IN ('deploy', 'delete')),
  template         text NOT NULL,
  major            integer NOT NULL,
  minor            integer NOT NULL,
  inputs           jsonb NOT NULL,
  provisioner      text NOT NULL,
  -- The provisioner's settings from .github/baryon.yml when it was asked (credentials never live there).
  provisioner_settings jsonb NOT NULL,
  -- Who or what asked: actor, reason, repository, pull request, comment URL, rollout.
  requested_by     jsonb NOT NULL,
  rollout_id       bigint,
  status           text NOT NULL CHECK (status IN ('pending', 'in_progress', 'succeeded', 'failed', 'cancelled',
                     'delete_pending', 'delete_in_progress', 'delete_succeeded', 'delete_failed')),
  rendered_digest  text,
  -- The provisioner's handle of a deployment that runs on outside Baryon (a stack operation, a pull request).
  handle           text,
  outputs          jsonb NOT NULL DEFAULT '{}',
  reason           text,
  -- Where the artifact store keeps the log.
  log              text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  UNIQUE (owner, id),
  FOREIGN KEY (owner, template, major, minor) REFERENCES versions (owner, template, major, minor),
  FOREIGN KEY (owner, rollout_id) REFERENCES rollouts (owner, id),
  CHECK ((status IN ('pending', 'delete_pending')) = (started_at IS NULL)),
  CHECK ((status IN ('succeeded', 'failed', 'cancelled', 'delete_succeeded', 'delete_failed')) = (finished_at IS NOT NULL))
);
CREATE INDEX deployments_resource ON deployments (owner, resource, id);
CREATE INDEX deployments_succeeded ON deployments (owner, resource, id) WHERE status = 'succeeded';
-- At most one deployment in flight per resource: the database refuses a second start.
CREATE UNIQUE INDEX deployments_one_in_flight ON deployments (owner, resource)
  WHERE status IN ('in_progress', 'delete_in_progress');
-- The resync reads what is unfinished, oldest first.
CREATE INDEX deployments_unfinished ON deployments (id)
  WHERE status IN ('pending', 'in_progress', 'delete_pending', 'delete_in_progress');
