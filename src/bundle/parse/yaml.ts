// YAML parsing for bundle and spec files: values plus the source position of
// every node, so a mistake deep inside a schema is reported at its own line.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { errorAt, type Diagnostic, type Position } from "../diagnostics.js";

/** Anchors/aliases beyond this are refused: a "billion laughs" file expands exponentially. */
export const MAX_YAML_ALIASES = 100;

export type YamlPath = readonly (string | number)[];

export interface ParsedYaml {
  /** The document as plain data; undefined when the file could not be parsed. */
  value: unknown;
  diagnostics: Diagnostic[];
  /** Position of the node at `path` (or of its closest existing parent). */
  positionOf(path: YamlPath): Position;
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const positionOf = (path: YamlPath): Position => {
    const node = closestNode(doc, path);
    return node?.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  const diagnostics = doc.errors.map((e) =>
    errorAt(file, "yaml-syntax", `invalid YAML: ${firstLine(e.message)}`, position(e.pos[0])),
  );
  if (diagnostics.length > 0) return { value: undefined, diagnostics, positionOf };
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }), diagnostics, positionOf };
  } catch (e) {
    // toJS throws only for alias abuse (resource exhaustion) and alias cycles.
    const message = `YAML aliases expand too far (more than ${MAX_YAML_ALIASES} alias uses); refusing to expand it: ${firstLine(String((e as Error).message))}`;
    return { value: undefined, diagnostics: [errorAt(file, "yaml-alias-bomb", message, { line: 1, column: 1 })], positionOf };
  }
}

function closestNode(doc: Document, path: YamlPath): Node | undefined {
  let node: unknown = doc.contents;
  for (const [depth, key] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      // A scalar is reported where it stands; a mapping or list at the key that names it.
      const isLast = depth === path.length - 1;
      if (isScalar(pair.value) || !pair.value) next = pair.value ?? pair.key;
      else next = isLast ? pair.key : pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      next = node.items[key];
    }
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as Node | undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Line of every node, keyed by dotted path ("instances.0.spec.port"), for diagnostics on parsed values. */
export function lineIndex(yaml: ParsedYaml): Record<string, number> {
  const lines: Record<string, number> = {};
  const walk = (value: unknown, path: (string | number)[]) => {
    const line = yaml.positionOf(path).line;
    if (line !== undefined) lines[path.join(".")] = line;
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(yaml.value, []);
  return lines;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
