// Proton's own Jinja filters (proton_cfn_*), run inside the QuickJS guest.
// Pure code with no imports: esbuild bundles it into the guest, and tests call
// it directly in Node. Exact output is documented in docs/proton-filters.md.
//
// The block filters emit YAML that continues the structure around `{{ ... }}`,
// so lines after the first must be indented to the column where the expression
// stands. A filter cannot know that column, so it wraps its text in two
// private-use marker characters and applyBlockIndentation(), run by the guest on
// every rendered output, re-indents each marked block and drops the markers.

/** Opens a block whose continuation lines still need indenting. */
export const BLOCK_START = "\uE000";
/** Closes a block opened by BLOCK_START. */
export const BLOCK_END = "\uE001";

const SAFE_VALUE = /^[a-zA-Z0-9_-]*$/;
const SAFE_VALUE_TEXT = "^[a-zA-Z0-9_-]*$";
// An ARN with nothing in it that could end or escape a YAML scalar.
const ARN = /^arn:[a-z][a-z0-9-]*:[a-zA-Z0-9-]+:[a-z0-9-]*:(?:\d{12}|aws)?:[\w+=,.@:/*$-]+$/;
// Proton's documented prefix; the whole value must also be free of whitespace
// and YAML syntax so that a matching value cannot inject structure.
const IAM_POLICY_ARN = /^arn:[a-zA-Z-]+:iam::\d{12}:policy\/[\w+=,.@/-]+$/;

type Filter = (...args: any[]) => unknown;

interface Keywords {
  [name: string]: unknown;
  __keywords?: true;
}

/** `dict | proton_cfn_ecs_task_definition_formatted_env_vars(raw=True)`: a YAML list of `{Name, Value}` items. */
export function ecsTaskDefinitionEnvVars(value: unknown, ...args: unknown[]): string {
  const name = "proton_cfn_ecs_task_definition_formatted_env_vars";
  const raw = rawArgument(name, args);
  const lines: string[] = [];
  for (const [key, item] of envEntries(name, value, raw)) {
    lines.push(`- Name: ${yamlScalar(key)}`, `  Value: ${yamlScalar(item)}`);
  }
  return block(lines);
}

/** `dict | proton_cfn_lambda_function_formatted_env_vars(raw=True)`: a YAML mapping for `Environment.Variables`. */
export function lambdaFunctionEnvVars(value: unknown, ...args: unknown[]): string {
  const name = "proton_cfn_lambda_function_formatted_env_vars";
  const raw = rawArgument(name, args);
  const lines = envEntries(name, value, raw).map(([key, item]) => `${yamlScalar(key)}: ${yamlScalar(item)}`);
  return block(lines);
}

/** `dict | proton_cfn_iam_policy_arns`: a YAML list of the values that are IAM managed policy ARNs, in mapping order. */
export function iamPolicyArns(value: unknown, ...args: unknown[]): string {
  const name = "proton_cfn_iam_policy_arns";
  noArguments(name, args);
  const lines = entries(name, value)
    .map(([, item]) => item)
    .filter((item): item is string => typeof item === "string" && IAM_POLICY_ARN.test(item))
    .map((arn) => `- ${arn}`);
  return block(lines);
}

/** `value | proton_cfn_sanitize`: the value unchanged, or a failed render unless it is `[a-zA-Z0-9_-]*` or an ARN. */
export function sanitize(value: unknown, ...args: unknown[]): unknown {
  const name = "proton_cfn_sanitize";
  noArguments(name, args);
  if (value === undefined || value === null) {
    throw new Error(`${name}: expected a string, got ${describe(value)}`);
  }
  const text = pythonString(name, value);
  if (!SAFE_VALUE.test(text) && !ARN.test(text)) {
    throw new Error(
      `${name}: illegal character(s) in ${quoteForMessage(text)}; the value must match ${SAFE_VALUE_TEXT} or be a valid ARN`,
    );
  }
  return value;
}

export const protonFilters: Record<string, Filter> = {
  proton_cfn_ecs_task_definition_formatted_env_vars: ecsTaskDefinitionEnvVars,
  proton_cfn_lambda_function_formatted_env_vars: lambdaFunctionEnvVars,
  proton_cfn_iam_policy_arns: iamPolicyArns,
  proton_cfn_sanitize: sanitize,
};

/**
 * Replace every marked block in a rendered output with its lines re-indented to
 * the column at which the block starts in its output line, and drop the markers.
 * Unmatched markers are dropped too, so a block cut by another filter (e.g.
 * `truncate`) never leaves marker characters in the output.
 */
export function applyBlockIndentation(output: string): string {
  if (output.indexOf(BLOCK_START) < 0 && output.indexOf(BLOCK_END) < 0) return output;
  let result = "";
  let at = 0;
  for (;;) {
    const start = output.indexOf(BLOCK_START, at);
    if (start < 0) break;
    result += withoutMarkers(output.slice(at, start));
    const end = output.indexOf(BLOCK_END, start + 1);
    const nested = output.indexOf(BLOCK_START, start + 1);
    if (end < 0 || (nested >= 0 && nested < end)) {
      at = start + 1; // an opening marker without its own end: drop it
      continue;
    }
    const indent = " ".repeat(columnAtEnd(result));
    result += output.slice(start + 1, end).split("\n").join(`\n${indent}`);
    at = end + 1;
  }
  return result + withoutMarkers(output.slice(at));
}

function block(lines: string[]): string {
  // Nothing to emit: no markers either, so the line keeps only its indentation.
  return lines.length === 0 ? "" : BLOCK_START + lines.join("\n") + BLOCK_END;
}

function withoutMarkers(text: string): string {
  return text.split(BLOCK_START).join("").split(BLOCK_END).join("");
}

/** Code points between the last line break and the end of `text`. */
function columnAtEnd(text: string): number {
  let column = 0;
  for (const _ of text.slice(text.lastIndexOf("\n") + 1)) column++;
  return column;
}

function envEntries(name: string, value: unknown, raw: boolean): [string, string][] {
  return entries(name, value).map(([key, item]) => {
    const text = pythonString(name, item, key);
    if (!raw && !SAFE_VALUE.test(text)) {
      throw new Error(
        `${name}: illegal character(s) in the value of ${quoteForMessage(key)}: ${quoteForMessage(text)}; with raw=False values must match ${SAFE_VALUE_TEXT}`,
      );
    }
    return [key, text];
  });
}

/** The entries of a mapping: a plain object (JSON context) or a Map (a dict built by the template). */
function entries(name: string, value: unknown): [string, unknown][] {
  if (value instanceof Map) return Array.from(value, ([key, item]) => [String(key), item]);
  if (!isPlainObject(value)) throw new Error(`${name}: expected a mapping, got ${describe(value)}`);
  return Object.entries(value);
}

/** `raw` from a positional argument or a keyword argument (the guest passes those as a trailing object). */
function rawArgument(name: string, args: unknown[]): boolean {
  const { positional, keywords } = splitArguments(args);
  if (positional.length > 1) throw new Error(`${name}: takes at most one argument (raw), got ${positional.length}`);
  let raw: unknown = positional.length === 1 ? positional[0] : true;
  for (const key of Object.keys(keywords)) {
    if (key === "__keywords") continue;
    if (key !== "raw") throw new Error(`${name}: unexpected keyword argument '${key}'`);
    if (positional.length === 1) throw new Error(`${name}: got multiple values for argument 'raw'`);
    raw = keywords[key];
  }
  return pythonTruth(raw);
}

function noArguments(name: string, args: unknown[]): void {
  const { positional, keywords } = splitArguments(args);
  const names = Object.keys(keywords).filter((key) => key !== "__keywords");
  if (positional.length > 0 || names.length > 0) throw new Error(`${name}: takes no arguments`);
}

function splitArguments(args: unknown[]): { positional: unknown[]; keywords: Keywords } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && Object.prototype.hasOwnProperty.call(last, "__keywords")) {
    return { positional: args.slice(0, -1), keywords: last as Keywords };
  }
  return { positional: args, keywords: {} };
}

/** Objects from JSON, not class instances (an undefined marker, a range...) that merely look like one. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function pythonTruth(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Python's str() of a scalar, as Proton's filters saw it; nested values have no sensible env var form. */
function pythonString(name: string, value: unknown, key?: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null) return "None";
  const where = key === undefined ? "" : ` for ${quoteForMessage(key)}`;
  throw new Error(`${name}: expected a string, number or boolean${where}, got ${describe(value)}`);
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

const YAML_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
// Starts with a letter, '_' or '/', so it can be neither a number, a date nor an
// indicator; no spaces, '#', quotes, brackets or commas anywhere.
const PLAIN = /^[A-Za-z_/][\w./:@+=$-]*$/;

/**
 * One YAML scalar that CloudFormation reads back as exactly `text`, a string:
 * plain when that is unambiguous, otherwise double-quoted with JSON escapes
 * (a JSON string is a valid YAML double-quoted scalar).
 */
export function yamlScalar(text: string): string {
  if (PLAIN.test(text) && !text.endsWith(":") && !YAML_WORDS.test(text)) return text;
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ue000\ue001]/g, (c) => {
    return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
  });
}

function quoteForMessage(text: string): string {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(shown);
}

function describe(value: unknown): string {
  if (value === undefined) return "an undefined value";
  if (value === null) return "None";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Map || isPlainObject(value)) return "a mapping";
  return typeof value === "object" ? `an object (${value.constructor?.name ?? "no class"})` : `a ${typeof value}`;
}
