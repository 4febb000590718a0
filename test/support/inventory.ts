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
