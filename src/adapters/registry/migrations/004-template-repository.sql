-- The repository a template is published from. Within one owner, a template name belongs to
-- the first repository that published it: recordVersion checks it while it holds the
-- template's lock, so two repositories publishing one name at once cannot both succeed.
ALTER TABLE templates ADD COLUMN repository text;
UPDATE templates SET repository = (
  SELECT v.source_repository FROM versions v
  WHERE v.owner = templates.owner AND v.template = templates.name
  ORDER BY v.created_at, v.major, v.minor LIMIT 1);
