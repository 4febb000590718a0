// YAML parsing for bundle and spec files: values plus the source position of
// every node, so a mistake deep inside a schema is reported at its own line.
// Read with the YAML 1.2 core schema (docs/rendering.md says what that means
// next to Proton's YAML 1.1 reader), numbers kept exact (yaml-numbers.ts).
import { isDeepStrictEqual } from "node:util";
import {
  Composer, isMap, isScalar, isSeq, LineCounter, Parser, YAMLParseError, visit,
  type CST, type Document, type Node, type Pair,
} from "yaml";
import { errorAt, warningAt, type Diagnostic, type Position } from "../diagnostics.js";
import { exactNumberTags, exactValuesMade, isIntegralFloatNode, numberReviver } from "./yaml-numbers.js";

/** Anchors/aliases beyond this are refused: a "billion laughs" file expands exponentially. */
export const MAX_YAML_ALIASES = 100;
/**
 * Mappings and lists nested deeper than this are refused before they are built:
 * no spec or schema comes near it (PyYAML, Proton's reader, gave up at a few
 * hundred), and deeper input would exhaust the stack of the recursive steps after.
 */
export const MAX_YAML_DEPTH = 100;

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
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = tokens.map(deeperThanLimit).find((offset) => offset !== undefined);
  if (tooDeep !== undefined) {
    const message = `mappings and lists nested deeper than ${MAX_YAML_DEPTH} levels; no spec or schema needs that many: flatten it`;
    return { value: undefined, diagnostics: [errorAt(file, "yaml-too-deep", message, position(tooDeep))], positionOf: () => ({ line: 1, column: 1 }) };
  }
  const made = exactValuesMade();
  const doc = firstDocument(tokens, text.length);
  const positionOf = (path: YamlPath): Position => {
    const node = closestNode(doc, path);
    return node?.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  const diagnostics = doc.errors.map((e) =>
    errorAt(file, "yaml-syntax", `invalid YAML: ${firstLine(e.message)}`, position(e.pos[0])),
  );
  if (diagnostics.length === 0) diagnostics.push(...duplicateKeys(file, doc, position));
  if (diagnostics.some((d) => d.severity === "error")) return { value: undefined, diagnostics, positionOf };
  try {
    const reviver = exactValuesMade() !== made ? numberReviver : undefined;
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES, ...(reviver ? { reviver } : {}) }), diagnostics, positionOf };
  } catch (e) {
    // toJS throws only for alias abuse (resource exhaustion) and alias cycles.
    const message = `YAML aliases expand too far (more than ${MAX_YAML_ALIASES} alias uses); refusing to expand it: ${firstLine(String((e as Error).message))}`;
    return { value: undefined, diagnostics: [errorAt(file, "yaml-alias-bomb", message, { line: 1, column: 1 })], positionOf };
  }
}

/** parseDocument's steps, given the tokens already checked for depth. */
function firstDocument(tokens: CST.Token[], length: number): Document.Parsed {
  // Duplicate keys are checked below: identical ones are only a warning.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true, customTags: exactNumberTags });
  const docs = [...composer.compose(tokens, true, length)];
  const doc = docs[0]!;
  if (docs.length > 1) {
    doc.errors.push(new YAMLParseError([docs[1]!.range[0], docs[1]!.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
  }
  return doc;
}

/** The offset of the first collection nested deeper than MAX_YAML_DEPTH, walking the tokens without recursion. */
function deeperThanLimit(token: CST.Token): number | undefined {
  const stack: [CST.Token | undefined, number][] = [[token, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!node) continue;
    if (node.type === "document") stack.push([node.value, depth]);
    else if (node.type === "block-map" || node.type === "block-seq" || node.type === "flow-collection") {
      if (depth >= MAX_YAML_DEPTH) return node.offset;
      for (const item of node.items) stack.push(["key" in item ? item.key ?? undefined : undefined, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * A key given twice in one mapping: an error when the values differ, a warning
 * when they are the same (Proton's reader took the last value without a word;
 * either way the last wins). Reported at the second key.
 */
function duplicateKeys(file: string, doc: Document.Parsed, position: (offset: number) => Position): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const seen: Pair[] = [];
      for (const pair of map.items) {
        const first = seen.find((p) => sameKey(p.key, pair.key));
        if (!first) {
          seen.push(pair);
          continue;
        }
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const at = position((pair.key as Node | null)?.range?.[0] ?? 0);
        const firstLine = position((first.key as Node | null)?.range?.[0] ?? 0).line;
        if (isDeepStrictEqual(valueOf(doc, first.value), valueOf(doc, pair.value))) {
          found.push(warningAt(file, "yaml-duplicate-key", `"${name}" is given twice in this mapping (also on line ${firstLine}), with the same value; Proton's reader accepted that: remove one`, at));
        } else {
          found.push(errorAt(file, "yaml-syntax", `invalid YAML: Map keys must be unique; "${name}" is also on line ${firstLine}, with a different value: keep one`, at));
        }
      }
    },
  });
  return found;
}

const sameKey = (a: unknown, b: unknown): boolean => a === b || (isScalar(a) && isScalar(b) && a.value === b.value);

function valueOf(doc: Document.Parsed, node: unknown): unknown {
  if (!node || typeof (node as Node).toJS !== "function") return node;
  return [isIntegralFloatNode(node), (node as Node).toJS(doc, { maxAliasCount: MAX_YAML_ALIASES })];
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
