// The one message for a breaking change inside an existing major: what breaks,
// where (the schema line of the first breaking input), and how to fix it.
import { errorAt, type Diagnostic } from "../diagnostics.js";
import type { Classification } from "../classify/classify.js";
import type { Bundle } from "../model.js";

export function breakingInPlace(head: Bundle, classification: Classification): Diagnostic {
  const breaking = classification.reasons.filter((r) => r.breaking).map((r) => `${r.path}: ${r.change}`);
  const major = head.major;
  const file = head.schema?.file ?? `${head.dir}/schema/schema.yaml`;
  return errorAt(file, "breaking-change-in-major",
    `breaking change inside v${major}/ (${breaking.join("; ")}). Resources on v${major} would break: ` +
    `put this change in a new folder v${major + 1}/ (a copy of v${major}/ with the change) and leave v${major}/ compatible.`,
    { line: breakingLine(head, classification) });
}

/** The schema line of the first breaking input (or of its type's properties, when the input was removed). */
function breakingLine(head: Bundle, classification: Classification): number {
  const schema = head.schema;
  const first = classification.reasons.find((r) => r.breaking);
  const match = first && /^(environment|service_instance|pipeline)\.inputs\.([^.[\]]+)/.exec(first.path);
  if (!schema || !match) return 1;
  const type = match[1] === "environment" ? schema.environmentInputType : match[1] === "service_instance" ? schema.serviceInputType : schema.pipelineInputType;
  if (!type) return 1;
  const at = `schema.types.${type}.properties`;
  return schema.lines[`${at}.${match[2]}`] ?? schema.lines[at] ?? schema.lines[`schema.types.${type}`] ?? 1;
}
