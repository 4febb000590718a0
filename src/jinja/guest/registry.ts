// Name -> filter/test lookup shared by the compiler and by filters that call
// other filters or tests by name (`map('upper')`, `select('odd')`).
import type { Kwargs } from "./attrs.js";
import { TemplateRuntimeError } from "./errors.js";
import type { Filter } from "./filters-text.js";
import { Undefined, isStr, strOf } from "./python.js";
import type { Test } from "./tests.js";

export const filters = new Map<string, Filter>();
export const tests = new Map<string, Test>();

function lookup<T>(kind: "filter" | "test", table: Map<string, T>, name: unknown): T {
  if (name instanceof Undefined) name.fail();
  const fn = isStr(name) ? table.get(strOf(name)) : undefined;
  if (!fn) throw new TemplateRuntimeError(`No ${kind} named ${isStr(name) ? `'${strOf(name)}'` : String(name)}.`);
  return fn;
}

/** Environment.call_filter. */
export function callFilter(name: unknown, value: unknown, args: unknown[], kwargs: Kwargs): unknown {
  return lookup("filter", filters, name)(value, args, kwargs);
}

/** Environment.call_test. */
export function callTest(name: unknown, value: unknown, args: unknown[], kwargs: Kwargs): boolean {
  return lookup("test", tests, name)(value, args, kwargs);
}
