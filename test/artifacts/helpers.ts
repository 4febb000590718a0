// Bundles for artifact tests: small inline ones, and the example service bundle read from disk.
import { join } from "node:path";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";

export interface BundleFiles {
  dir: string;
  files: Map<string, Uint8Array>;
}

const encoder = new TextEncoder();

/** A bundle at `dir` whose files are given relative to it, as text. */
export function bundleOf(dir: string, files: Record<string, string | Uint8Array>): BundleFiles {
  return {
    dir,
    files: new Map(Object.entries(files).map(([path, content]) => [`${dir}/${path}`, typeof content === "string" ? encoder.encode(content) : content])),
  };
}

export const SMALL_BUNDLE: Record<string, string> = {
  "schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "EnvInput"\n  types:\n    EnvInput:\n      type: object\n      properties:\n        vpc_cidr: {type: string, default: 10.0.0.0/16}\n',
  "infrastructure/manifest.yaml": 'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n',
  "infrastructure/cloudformation.yaml": "Resources:\n  VPC:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: '{{ environment.inputs.vpc_cidr }}'\n",
};

export const EXAMPLE_DIR = "examples/templates/load-balanced-fargate-svc/v1";

/** The example service bundle as a repository snapshot would hold it (repository-relative paths). */
export async function exampleBundle(): Promise<BundleFiles> {
  const root = join(import.meta.dirname, "..", "..");
  const snapshot = await readSnapshot(join(root, EXAMPLE_DIR));
  return { dir: EXAMPLE_DIR, files: new Map([...snapshot.files].map(([path, bytes]) => [`${EXAMPLE_DIR}/${path}`, bytes])) };
}
