-- Baryon's registry, the system of record (DESIGN.md, "State, queue, scale").
-- The same SQL runs on PostgreSQL (13 or later) and on PGlite: plain tables, jsonb,
-- timestamptz, identity columns, CHECK constraints; no extensions.
-- Tables are unqualified: they land in the first schema of the search_path.

-- A template: versioned infrastructure kept in git. Its row is also the lock that
-- serialises version numbering (recordVersion takes it FOR UPDATE).
CREATE TABLE templates (
  name        text PRIMARY KEY,
  -- The kind it was created with; each version records its own kind too.
  kind        text NOT NULL CHECK (kind IN ('environment', 'service')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One version MAJOR.MINOR of a template. Numbers are assigned once, at publish, and the
-- primary key makes a duplicate impossible. The recommended version is not stored:
-- it is the highest published row, found by query.
CREATE TABLE versions (
  template             text NOT NULL REFERENCES templates (name),
  major                integer NOT NULL CHECK (major >= 0),
  minor                integer NOT NULL CHECK (minor >= 0),
  kind                 text NOT NULL CHECK (kind IN ('environment', 'service')),
  status               text NOT NULL CHECK (status IN ('draft', 'published')),
  -- sha256 of the bundle archive: a byte-identical bundle publishes nothing.
  digest               text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  -- Where the artifact store keeps the bundle (file://, s3://).
  artifact             text NOT NULL,
  source_repository    text NOT NULL,
  source_commit        text NOT NULL,
  source_pull_request  integer,
  -- The bundle's InputSchema, and the classification reasons (ChangeReason[]) from review.
  input_schema         jsonb,
  reasons              jsonb NOT NULL DEFAULT '[]',
  created_at           timestamptz NOT NULL DEFAULT now(),
  published_at         timestamptz,
  PRIMARY KEY (template, major, minor),
  CHECK ((status = 'published') = (published_at IS NOT NULL))
);

-- An environment: a deployed instance of an environment template, declared in the inventory.
CREATE TABLE environments (
  name            text PRIMARY KEY,
  template        text NOT NULL REFERENCES templates (name),
  -- The major it follows (rollouts of that major reach it).
  template_major  integer NOT NULL,
  -- The minor deployed now; null until its first deployment succeeds.
  deployed_minor  integer,
  -- Rollout stage label: test, prod, ...
  stage           text NOT NULL,
  spec            jsonb NOT NULL DEFAULT '{}',
  outputs         jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (template, template_major, deployed_minor) REFERENCES versions (template, major, minor)
);

-- A service: a set of instances of one service template, with an optional pipeline.
CREATE TABLE services (
  name                     text PRIMARY KEY,
  template                 text NOT NULL REFERENCES templates (name),
  template_major           integer NOT NULL,
  -- Pipeline inputs; null when the service has no pipeline.
  pipeline_spec            jsonb,
  pipeline_deployed_minor  integer,
  pipeline_outputs         jsonb NOT NULL DEFAULT '{}',
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (template, template_major, pipeline_deployed_minor) REFERENCES versions (template, major, minor)
);

-- A service instance: one instance of its service's template, living in one environment.
CREATE TABLE service_instances (
  service         text NOT NULL REFERENCES services (name) ON DELETE CASCADE,
  name            text NOT NULL,
  environment     text NOT NULL REFERENCES environments (name),
  -- Copied from the service so that the deployed version can be a foreign key.
  template        text NOT NULL,
  template_major  integer NOT NULL,
  deployed_minor  integer,
  spec            jsonb NOT NULL DEFAULT '{}',
  outputs         jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, name),
  FOREIGN KEY (template, template_major, deployed_minor) REFERENCES versions (template, major, minor)
);
CREATE INDEX service_instances_environment ON service_instances (environment);

-- A rollout: the staged propagation of one new version to every resource following its major.
CREATE TABLE rollouts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template       text NOT NULL,
  major          integer NOT NULL,
  minor          integer NOT NULL,
  -- pending: planned, not started; waiting: at a gate; halted: failure threshold reached.
  status         text NOT NULL CHECK (status IN ('pending', 'running', 'waiting', 'paused', 'halted', 'succeeded', 'aborted')),
  current_stage  text,
  -- The rollout plan (stages, batches, soak, gates) as the rollout domain computed it.
  plan           jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  FOREIGN KEY (template, major, minor) REFERENCES versions (template, major, minor)
);
-- A retried publish must not start a second rollout of the same version while one is unfinished.
CREATE UNIQUE INDEX rollouts_one_unfinished_per_version ON rollouts (template, major, minor)
  WHERE status NOT IN ('succeeded', 'aborted');

-- A deployment: one attempt to bring one resource to a version + spec through a provisioner.
CREATE TABLE deployments (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The resource: an environment (its name), a service instance ("service/instance")
  -- or a service pipeline (the service's name).
  resource_kind  text NOT NULL CHECK (resource_kind IN ('environment', 'service_instance', 'service_pipeline')),
  resource_id    text NOT NULL,
  template       text NOT NULL,
  target_major   integer NOT NULL,
  target_minor   integer NOT NULL,
  spec           jsonb NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'in_progress', 'succeeded', 'failed', 'cancelled')),
  -- cloudformation, pull-request, command, ... (kept open: provisioners are a registry of kinds).
  provisioner    text NOT NULL,
  -- The rollout that started it; null for a deployment started by hand or by an inventory change.
  rollout_id     bigint REFERENCES rollouts (id),
  error          text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (template, target_major, target_minor) REFERENCES versions (template, major, minor)
);
CREATE INDEX deployments_resource ON deployments (resource_kind, resource_id, created_at);
CREATE INDEX deployments_rollout ON deployments (rollout_id);
-- Resync looks for unfinished work (DESIGN.md: a lost job costs time, never correctness).
CREATE INDEX deployments_unfinished ON deployments (status) WHERE status IN ('pending', 'in_progress');

-- Webhook deliveries already processed, so that a redelivery changes nothing twice.
CREATE TABLE processed_deliveries (
  delivery_id   text PRIMARY KEY,
  event         text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now()
);
-- For pruning old rows.
CREATE INDEX processed_deliveries_processed_at ON processed_deliveries (processed_at);
