// A small published catalog for inventory tests: environment template `net`
// (majors 1 and 2), service template `api` (major 1, compatible with net@1, with
// a pipeline) and `worker` (no pipeline, compatible with net@1 and net@2). Each
// template's TopicName reads the outputs before it: environment → instance → pipeline.
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { catalogOf, type CatalogEntry } from "../../src/inventory/catalog.js";
import { CFN_MANIFEST, ENV_SCHEMA, snapshot } from "./snapshot.js";

const SVC_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "In"
  pipeline_input_type: "Pipe"
  types:
    In:
      type: object
      properties:
        port:
          type: number
          default: 80
        image:
          type: string
      required: [image]
    Pipe:
      type: object
      properties:
        branch:
          type: string
          default: main
`;
const cfn = (body: string) => `Resources:\n  Thing:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: ${body}\n`;

export const CATALOG_FILES: Record<string, string> = {
  "net/v1/schema/schema.yaml": ENV_SCHEMA,
  "net/v1/infrastructure/manifest.yaml": CFN_MANIFEST,
  "net/v1/infrastructure/cloudformation.yaml": cfn("net-{{ environment.name }}-{{ environment.inputs.count }}"),
  "net/v2/schema/schema.yaml": ENV_SCHEMA,
  "net/v2/infrastructure/manifest.yaml": CFN_MANIFEST,
  "net/v2/infrastructure/cloudformation.yaml": cfn("net2-{{ environment.name }}"),
  "api/v1/schema/schema.yaml": SVC_SCHEMA,
  "api/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
  "api/v1/instance_infrastructure/cloudformation.yaml": cfn("{{ environment.outputs.TopicName }}-{{ service_instance.name }}-{{ service_instance.inputs.image }}"),
  "api/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
  "api/v1/pipeline_infrastructure/cloudformation.yaml": cfn("pipe-{{ pipeline.inputs.branch }}{% for i in service_instances %}-{{ i.outputs.TopicName }}{% endfor %}"),
  "api/v1/.template-registration.yaml": "compatible_environments:\n  - net:1\n",
  "worker/v1/schema/schema.yaml": SVC_SCHEMA.replace('  pipeline_input_type: "Pipe"\n', ""),
  "worker/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
  "worker/v1/instance_infrastructure/cloudformation.yaml": cfn("w-{{ service_instance.name }}"),
  "worker/v1/.template-registration.yaml": "compatible_environments:\n  - net:1\n  - net:2\n",
};

/** net 1.0, 1.1 (published) and 1.2 (draft), net 2.0; api 1.0; worker 1.0. */
export function testCatalog() {
  const repo = parseRepository(snapshot(CATALOG_FILES));
  const bundle = (template: string, major: number) => repo.templates.find((t) => t.name === template)!.bundles.find((b) => b.major === major)!;
  const entry = (template: string, major: number, minor: number, status: CatalogEntry["status"] = "published"): CatalogEntry =>
    ({ template, major, minor, status, bundle: bundle(template, major) });
  return catalogOf([
    entry("net", 1, 0), entry("net", 1, 1), entry("net", 1, 2, "draft"), entry("net", 2, 0),
    entry("api", 1, 0), entry("worker", 1, 0),
  ]);
}

/** The catalog as a template repository holds it, under `templates/`. */
export const templateFiles = (files: Record<string, string> = CATALOG_FILES) =>
  Object.fromEntries(Object.entries(files).map(([path, text]) => [`templates/${path}`, text]));

/** An environment of net@1 at `stage`. */
export const netEnvironment = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nspec:\n  count: 2\n`;

/** api@1 with its pipeline, and one instance in each of the environments `dev` and `live`. */
export const API_SERVICE = [
  "proton: ServiceSpec", "template: api@1", "pipeline:", "  branch: release", "instances:",
  "  - name: api-test", "    environment: dev", "    spec:", "      image: nginx",
  "  - name: api-prod", "    environment: live", "    spec:", "      image: nginx", "",
].join("\n");

/**
 * `provisioners:` of `.github/baryon.yml`: one `command` provisioner, `local`, whose deploy appends
 * `[kind ]resource version` to `ledger` and outputs a TopicName (the catalog's templates read it
 * from what deployed before them), and fails for the resource `failing`.
 */
export function ledgerProvisioner(ledger: string, options: { kind?: boolean; failing?: string; destroy?: boolean } = {}): string[] {
  return [
    "provisioners:",
    "  local:",
    "    kind: command",
    "    deploy: |",
    ...(options.failing ? [`      test "$BARYON_RESOURCE" != ${options.failing} || exit 3`] : []),
    `      echo "${options.kind ? "$BARYON_RESOURCE_KIND " : ""}$BARYON_RESOURCE $BARYON_VERSION" >> ${ledger}`,
    `      printf '{"TopicName": "t-%s"}' "$BARYON_RESOURCE" > outputs.json`,
    ...(options.destroy ? ["    destroy: |", `      echo "destroy $BARYON_RESOURCE" >> ${ledger}`] : []),
  ];
}
