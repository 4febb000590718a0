// Reading a rendered CloudFormation template (YAML or JSON) into a small tree
// that keeps each node's line and CloudFormation's short-form tags (`!Ref`,
// `!Sub`, ...), so checks can point at the exact rendered line.
import {
  isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument,
  type Document, type Node as YamlNode, type Tags,
} from "yaml";
import { errorAt, type Diagnostic } from "../diagnostics.js";
import { findJsonError } from "../parse/json-error.js";
// The limit specs and schemas have: no template comes near it, and every check here walks the tree recursively.
import { MAX_YAML_DEPTH } from "../parse/yaml.js";

/** Every short form CloudFormation's YAML understands, without the `!`. */
export const SHORT_FORMS = [
  "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join",
  "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString",
] as const;

export interface Where {
  line: number;
  column: number;
  /** Offsets of the node's text in the source, for finding text inside a scalar. */
  start: number;
  end: number;
}

export type CfnNode =
  | ({ kind: "scalar"; value: unknown } & Where)
  | ({ kind: "seq"; items: CfnNode[] } & Where)
  | ({ kind: "map"; entries: CfnEntry[] } & Where)
  /** A short form (`!GetAtt X.Y`): `fn` is the long name ("Fn::GetAtt", "Ref", "Condition"). */
  | ({ kind: "tag"; fn: string; arg: CfnNode } & Where)
  /** An alias to a collection: already checked where its anchor stands, so never expanded (alias bombs). */
  | ({ kind: "opaque" } & Where);

export interface CfnEntry {
  key: string;
  keyAt: Where;
  value: CfnNode;
}

export interface ParsedTemplate {
  /** Undefined when the text is not valid YAML/JSON. */
  root?: CfnNode;
  diagnostics: Diagnostic[];
  /** 1-based line and column of a source offset. */
  position(offset: number): { line: number; column: number };
}

// Each short form may tag a scalar, a list or a mapping; keep the node as parsed.
const customTags: Tags = SHORT_FORMS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value },
  { tag: `!${name}`, collection: "seq" as const, resolve: (node: unknown) => node },
  { tag: `!${name}`, collection: "map" as const, resolve: (node: unknown) => node },
]);
const SHORT_FORM_NAMES = new Set<string>(SHORT_FORMS);

function longName(shortForm: string): string {
  return shortForm === "Ref" || shortForm === "Condition" ? shortForm : `Fn::${shortForm}`;
}

export function parseTemplate(file: string, text: string): ParsedTemplate {
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // A template that opens with "{" is JSON to CloudFormation, held to JSON's stricter rules (no trailing commas).
  const jsonError = text.trimStart().startsWith("{") ? findJsonError(text) : undefined;
  if (jsonError) return { diagnostics: [errorAt(file, "cfn-syntax", `invalid JSON: ${jsonError.message}`, jsonError)], position };
  // JSON is YAML too: one parser gives both the positions and the short-form tags.
  const doc = parseDocument(text, { lineCounter, customTags, prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    return { diagnostics: [syntaxError(file, text, first.code, firstLine(first.message), first.pos[0], position)], position };
  }
  const diagnostics = doc.warnings
    .filter((w) => w.code === "TAG_RESOLVE_FAILED")
    .map((w) => errorAt(file, "cfn-unknown-tag",
      `${firstLine(w.message).replace(/^Unresolved tag: /, "unknown tag ")}: CloudFormation's short forms are ${SHORT_FORMS.map((s) => `!${s}`).join(", ")}`,
      position(w.pos[0])));
  try {
    const root = doc.contents ? convert(doc, doc.contents as YamlNode, position, 0) : undefined;
    return { ...(root ? { root } : {}), diagnostics, position };
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    return { diagnostics: [tooDeep(file, e.where)], position };
  }
}

class TooDeep extends Error {
  constructor(readonly where: { line: number; column: number }) {
    super("too deep");
  }
}

const tooDeep = (file: string, at: { line: number; column: number }) =>
  errorAt(file, "cfn-too-deep", `mappings and lists nested deeper than ${MAX_YAML_DEPTH} levels: CloudFormation templates never need that many; flatten it`, at);

/** The parser's first error, in words a template author can act on. */
function syntaxError(file: string, text: string, code: string, message: string, offset: number, position: ParsedTemplate["position"]): Diagnostic {
  // The parser recurses per level and reports a blown stack as an error: past any sane depth.
  if (/call stack/i.test(message)) return tooDeep(file, position(offset));
  if (code === "DUPLICATE_KEY") {
    const key = /^\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^:#\n]*?))\s*:/.exec(text.slice(offset, offset + 300));
    const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined;
    if (name) {
      return errorAt(file, "cfn-duplicate-key",
        `"${name}" appears twice in the same mapping: a logical id (resource, parameter, output, condition) or a property can be declared only once`, position(offset));
    }
  }
  return errorAt(file, "cfn-syntax", `invalid YAML: ${message}`, position(offset));
}

function convert(doc: Document, node: YamlNode, position: ParsedTemplate["position"], depth: number): CfnNode {
  const [start = 0, end = start] = node.range ?? [];
  const where: Where = { ...position(start), start, end };
  if (depth > MAX_YAML_DEPTH) throw new TooDeep(where);
  let plain: CfnNode;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    // A scalar alias is cheap and may carry a name (`Type: *bucketType`); collections stay opaque.
    plain = isScalar(target) ? { kind: "scalar", value: target.value, ...where } : { kind: "opaque", ...where };
  } else if (isMap(node)) {
    plain = {
      kind: "map",
      ...where,
      entries: node.items.map((pair) => {
        const keyNode = pair.key as YamlNode | null;
        const [keyStart = start] = keyNode?.range ?? [];
        const keyAt: Where = { ...position(keyStart), start: keyStart, end: keyNode?.range?.[1] ?? keyStart };
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const value: CfnNode = pair.value
          ? convert(doc, pair.value as YamlNode, position, depth + 1)
          : { kind: "scalar", value: null, ...keyAt };
        return { key, keyAt, value };
      }),
    };
  } else if (isSeq(node)) {
    plain = { kind: "seq", ...where, items: node.items.map((item) => convert(doc, item as YamlNode, position, depth + 1)) };
  } else {
    plain = { kind: "scalar", ...where, value: isScalar(node) ? node.value : null };
  }
  const tag = node.tag?.startsWith("!") && !node.tag.startsWith("!!") ? node.tag.slice(1) : undefined;
  return tag && SHORT_FORM_NAMES.has(tag) ? { kind: "tag", fn: longName(tag), arg: plain, ...where } : plain;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** The value of a string scalar, or undefined for anything else. */
export function stringOf(node: CfnNode | undefined): string | undefined {
  return node?.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
}

export function entryOf(node: CfnNode | undefined, key: string): CfnEntry | undefined {
  return node?.kind === "map" ? node.entries.find((e) => e.key === key) : undefined;
}

export interface Intrinsic {
  /** Long name: "Ref", "Fn::Sub", "Condition", ... */
  fn: string;
  arg: CfnNode;
  /** Written as a short-form tag (`!Ref`) rather than a one-key mapping (`Ref:`). */
  short: boolean;
  at: Where;
}

/**
 * The intrinsic function a node calls, in either form. `{Condition: X}` is the
 * Condition function only inside conditions: elsewhere `Condition` is an
 * ordinary key (IAM policy statements have one).
 */
export function intrinsicOf(node: CfnNode, conditionsContext: boolean): Intrinsic | undefined {
  if (node.kind === "tag") return { fn: node.fn, arg: node.arg, short: true, at: node };
  if (node.kind !== "map" || node.entries.length !== 1) return undefined;
  const [{ key, keyAt, value }] = node.entries as [CfnEntry];
  const isFn = key === "Ref" || (key.startsWith("Fn::") && !key.startsWith("Fn::ForEach::")) || (conditionsContext && key === "Condition");
  return isFn ? { fn: key, arg: value, short: false, at: keyAt } : undefined;
}
