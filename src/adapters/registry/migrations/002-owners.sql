-- Every name is unique within one owner (DESIGN.md, "Words"): two organizations may both
-- have a `vpc` template. 001 keyed everything by name alone, so one owner's installation
-- numbered from, and was refused by, another's history. This scopes every table by owner
-- and upgrades an existing registry in place: a version belongs to the owner of its source
-- repository ("acme/templates" -> acme), and every other row to the owner of what it names.
-- Logins are stored lower-case: GitHub compares them case-insensitively.

-- An owner: the GitHub account (organization or user) an installation belongs to,
-- or "local" for a checkout without a GitHub origin.
CREATE TABLE owners (
  login            text PRIMARY KEY CHECK (login <> '' AND login = lower(login)),
  -- The GitHub App installation, when known (kept up to date by recordVersion).
  installation_id  bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The keys change below: the foreign keys and the primary keys they use go first, and come
-- back owner-scoped once every row has its owner.
ALTER TABLE versions DROP CONSTRAINT versions_template_fkey;
ALTER TABLE environments DROP CONSTRAINT environments_template_fkey;
ALTER TABLE environments DROP CONSTRAINT environments_template_template_major_deployed_minor_fkey;
ALTER TABLE services DROP CONSTRAINT services_template_fkey;
ALTER TABLE services DROP CONSTRAINT services_template_template_major_pipeline_deployed_minor_fkey;
ALTER TABLE service_instances DROP CONSTRAINT service_instances_environment_fkey;
ALTER TABLE service_instances DROP CONSTRAINT service_instances_service_fkey;
ALTER TABLE service_instances DROP CONSTRAINT service_instances_template_template_major_deployed_minor_fkey;
ALTER TABLE rollouts DROP CONSTRAINT rollouts_template_major_minor_fkey;
ALTER TABLE deployments DROP CONSTRAINT deployments_rollout_id_fkey;
ALTER TABLE deployments DROP CONSTRAINT deployments_template_target_major_target_minor_fkey;
ALTER TABLE templates DROP CONSTRAINT templates_pkey;
ALTER TABLE versions DROP CONSTRAINT versions_pkey;
ALTER TABLE environments DROP CONSTRAINT environments_pkey;
ALTER TABLE services DROP CONSTRAINT services_pkey;
ALTER TABLE service_instances DROP CONSTRAINT service_instances_pkey;

-- Versions: the owner of their source repository. A template one owner could not tell apart
-- from another's (same name, two organizations) splits into one template per owner, and each
-- keeps its numbers: the next version of each numbers from its own history.
ALTER TABLE versions ADD COLUMN owner text;
UPDATE versions SET owner = coalesce(nullif(lower(split_part(source_repository, '/', 1)), ''), 'local');
ALTER TABLE versions ALTER COLUMN owner SET NOT NULL;

-- Templates: the owner of their first version (templates without versions cannot exist, as
-- recordVersion writes both in one transaction; one would go to "local"), plus one row for
-- every other owner that recorded versions under the same name.
ALTER TABLE templates ADD COLUMN owner text;
UPDATE templates SET owner = coalesce(
  (SELECT v.owner FROM versions v WHERE v.template = templates.name ORDER BY v.created_at, v.major, v.minor LIMIT 1),
  'local');
ALTER TABLE templates ALTER COLUMN owner SET NOT NULL;
INSERT INTO templates (owner, name, kind, created_at)
  SELECT DISTINCT ON (v.owner, v.template) v.owner, v.template, v.kind, v.created_at
  FROM versions v
  WHERE NOT EXISTS (SELECT 1 FROM templates t WHERE t.owner = v.owner AND t.name = v.template)
  ORDER BY v.owner, v.template, v.created_at;

-- Nothing wrote the inventory, rollout and deployment tables before this migration; should a
-- row exist, it takes the owner of the version it names, else of its template.
ALTER TABLE environments ADD COLUMN owner text;
UPDATE environments e SET owner = coalesce(
  (SELECT v.owner FROM versions v WHERE v.template = e.template AND v.major = e.template_major AND v.minor = e.deployed_minor ORDER BY v.owner LIMIT 1),
  (SELECT t.owner FROM templates t WHERE t.name = e.template ORDER BY t.created_at LIMIT 1),
  'local');
ALTER TABLE environments ALTER COLUMN owner SET NOT NULL;

ALTER TABLE services ADD COLUMN owner text;
UPDATE services s SET owner = coalesce(
  (SELECT v.owner FROM versions v WHERE v.template = s.template AND v.major = s.template_major AND v.minor = s.pipeline_deployed_minor ORDER BY v.owner LIMIT 1),
  (SELECT t.owner FROM templates t WHERE t.name = s.template ORDER BY t.created_at LIMIT 1),
  'local');
ALTER TABLE services ALTER COLUMN owner SET NOT NULL;

ALTER TABLE service_instances ADD COLUMN owner text;
UPDATE service_instances i SET owner = coalesce((SELECT s.owner FROM services s WHERE s.name = i.service), 'local');
ALTER TABLE service_instances ALTER COLUMN owner SET NOT NULL;

ALTER TABLE rollouts ADD COLUMN owner text;
UPDATE rollouts r SET owner = coalesce(
  (SELECT v.owner FROM versions v WHERE v.template = r.template AND v.major = r.major AND v.minor = r.minor ORDER BY v.owner LIMIT 1),
  'local');
ALTER TABLE rollouts ALTER COLUMN owner SET NOT NULL;

ALTER TABLE deployments ADD COLUMN owner text;
UPDATE deployments d SET owner = coalesce(
  (SELECT r.owner FROM rollouts r WHERE r.id = d.rollout_id),
  (SELECT v.owner FROM versions v WHERE v.template = d.template AND v.major = d.target_major AND v.minor = d.target_minor ORDER BY v.owner LIMIT 1),
  'local');
ALTER TABLE deployments ALTER COLUMN owner SET NOT NULL;

INSERT INTO owners (login)
  SELECT owner FROM templates UNION SELECT owner FROM environments UNION SELECT owner FROM services;

-- Owner-scoped keys.
ALTER TABLE templates ADD PRIMARY KEY (owner, name);
ALTER TABLE templates ADD FOREIGN KEY (owner) REFERENCES owners (login);

ALTER TABLE versions ADD PRIMARY KEY (owner, template, major, minor);
ALTER TABLE versions ADD FOREIGN KEY (owner, template) REFERENCES templates (owner, name);

ALTER TABLE environments ADD PRIMARY KEY (owner, name);
ALTER TABLE environments ADD FOREIGN KEY (owner, template) REFERENCES templates (owner, name);
ALTER TABLE environments ADD FOREIGN KEY (owner, template, template_major, deployed_minor) REFERENCES versions (owner, template, major, minor);

ALTER TABLE services ADD PRIMARY KEY (owner, name);
ALTER TABLE services ADD FOREIGN KEY (owner, template) REFERENCES templates (owner, name);
ALTER TABLE services ADD FOREIGN KEY (owner, template, template_major, pipeline_deployed_minor) REFERENCES versions (owner, template, major, minor);

ALTER TABLE service_instances ADD PRIMARY KEY (owner, service, name);
ALTER TABLE service_instances ADD FOREIGN KEY (owner, service) REFERENCES services (owner, name) ON DELETE CASCADE;
ALTER TABLE service_instances ADD FOREIGN KEY (owner, environment) REFERENCES environments (owner, name);
ALTER TABLE service_instances ADD FOREIGN KEY (owner, template, template_major, deployed_minor) REFERENCES versions (owner, template, major, minor);
DROP INDEX service_instances_environment;
CREATE INDEX service_instances_environment ON service_instances (owner, environment);

-- Rollout ids stay global (identity), and (owner, id) lets a deployment name only its owner's rollouts.
ALTER TABLE rollouts ADD UNIQUE (owner, id);
ALTER TABLE rollouts ADD FOREIGN KEY (owner, template, major, minor) REFERENCES versions (owner, template, major, minor);
DROP INDEX rollouts_one_unfinished_per_version;
CREATE UNIQUE INDEX rollouts_one_unfinished_per_version ON rollouts (owner, template, major, minor)
  WHERE status NOT IN ('succeeded', 'aborted');

ALTER TABLE deployments ADD FOREIGN KEY (owner, rollout_id) REFERENCES rollouts (owner, id);
ALTER TABLE deployments ADD FOREIGN KEY (owner, template, target_major, target_minor) REFERENCES versions (owner, template, major, minor);
DROP INDEX deployments_resource;
CREATE INDEX deployments_resource ON deployments (owner, resource_kind, resource_id, created_at);

-- The legacy AWS Proton mirror of a version: null when it is not to be mirrored, else pending
-- until the mirror job records done or failed (with its error). Resync finds the pending ones.
ALTER TABLE versions ADD COLUMN mirror_status text CHECK (mirror_status IN ('pending', 'done', 'failed'));
ALTER TABLE versions ADD COLUMN mirror_error text;
ALTER TABLE versions ADD CHECK (CASE WHEN mirror_status = 'failed' THEN mirror_error IS NOT NULL ELSE mirror_error IS NULL END);
CREATE INDEX versions_mirror_pending ON versions (created_at) WHERE mirror_status = 'pending';
