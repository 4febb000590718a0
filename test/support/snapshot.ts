// In-memory repository snapshots for tests of the pure bundle engine.
import type { Snapshot } from "../../src/bundle/files.js";

export function snapshot(files: Record<string, string | Uint8Array>, symlinks: Record<string, string> = {}): Snapshot {
  const encoder = new TextEncoder();
  return {
    files: new Map(Object.entries(files).map(([p, c]) => [p, typeof c === "string" ? encoder.encode(c) : c])),
    symlinks: new Map(Object.entries(symlinks)),
  };
}

export const ENV_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "EnvInput"
  types:
    EnvInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          default: 10.0.0.0/16
        size:
          type: string
          enum: [small, large]
          default: small
        count:
          type: number
          minimum: 1
      required: [count]
`;

export const CFN_MANIFEST = `infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
`;

/** A minimal valid environment template "env" at v1, with overrides per path (null deletes). */
export function envTemplate(overrides: Record<string, string | Uint8Array | null> = {}, prefix = "env/v1"): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array | null> = {
    [`${prefix}/schema/schema.yaml`]: ENV_SCHEMA,
    [`${prefix}/infrastructure/manifest.yaml`]: CFN_MANIFEST,
    [`${prefix}/infrastructure/cloudformation.yaml`]: "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr }}\n",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string | Uint8Array] => e[1] !== null));
}
