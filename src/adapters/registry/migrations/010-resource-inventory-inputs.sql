-- A service instance's inputs may come from outside its inventory file: the Proton
-- API's UpdateServiceInstance (a pipeline rolling out a new image). `inputs` then
-- holds the API's, and `inventory_inputs` what the file said when they replaced it:
-- a reconcile compares the file with these, so the API's inputs stand until the
-- file's spec of that resource changes. NULL: `inputs` are the file's own.
ALTER TABLE resources ADD COLUMN inventory_inputs jsonb;
