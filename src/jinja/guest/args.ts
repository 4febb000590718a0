// Binds call arguments to a Python-style signature, raising the TypeErrors
// Python raises for builtin filters and tests called with wrong arguments.
import { typeError } from "./errors.js";
import type { Kwargs } from "./attrs.js";

const REQUIRED: unique symbol = Symbol("required");
export const required = REQUIRED;

/**
 * A Python function signature: `params` after the filtered value, with
 * `defaults` (REQUIRED for none). Returns the arguments in parameter order.
 */
export function bind(fname: string, params: string[], defaults: unknown[], args: unknown[], kwargs: Kwargs): unknown[] {
  const n = params.length;
  if (args.length > n) {
    const min = defaults.filter((d) => d === REQUIRED).length + 1;
    const range = min === n + 1 ? `${n + 1}` : `from ${min} to ${n + 1}`;
    throw typeError(`${fname}() takes ${range} positional arguments but ${args.length + 1} were given`);
  }
  const out = args.slice();
  if (kwargs) {
    for (const key of kwargs.keys()) {
      const i = params.indexOf(key);
      if (i === -1) throw typeError(`${fname}() got an unexpected keyword argument '${key}'`);
      if (i < args.length) throw typeError(`${fname}() got multiple values for argument '${key}'`);
    }
  }
  for (let i = args.length; i < n; i++) {
    const key = params[i] as string;
    if (kwargs?.has(key)) out.push(kwargs.get(key));
    else if (defaults[i] === REQUIRED) {
      throw typeError(`${fname}() missing 1 required positional argument: '${key}'`);
    } else out.push(defaults[i]);
  }
  return out;
}

type Impl = (v: unknown, ...a: unknown[]) => unknown;

/** What the compiler needs to call a filter's implementation directly for plain positional calls. */
export interface Direct {
  impl: Impl;
  params: string[];
  defaults: unknown[];
  minArgs: number;
}
export type Bound = ((value: unknown, args: unknown[], kwargs: Kwargs) => unknown) & { direct?: Direct };

/**
 * Wraps `fn(value, ...params)` as a filter/test taking (value, args, kwargs).
 * Positional calls that need no defaults resolved by name skip bind(): filters
 * run on every render, and spreads and allocations are slow in QuickJS.
 */
export function signature(fname: string, params: string[], defaults: unknown[], fn: Impl): Bound {
  const n = params.length;
  const slow: Bound = (v, args, kwargs) => fn(v, ...bind(fname, params, defaults, args, kwargs));
  const firstRequired = defaults.indexOf(REQUIRED);
  const minArgs = firstRequired === -1 ? 0 : defaults.lastIndexOf(REQUIRED) + 1;
  const fast = (args: unknown[], kwargs: Kwargs): boolean => kwargs === null && args.length <= n && args.length >= minArgs;
  const at = (args: unknown[], i: number): unknown => (i < args.length ? args[i] : defaults[i]);
  const direct: Direct = { impl: fn, params, defaults, minArgs };
  return Object.assign(wrap(), { direct });
  function wrap(): Bound {
  switch (n) {
    case 0:
      return (v, args, kwargs) => (fast(args, kwargs) ? fn(v) : slow(v, args, kwargs));
    case 1:
      return (v, args, kwargs) => (fast(args, kwargs) ? fn(v, at(args, 0)) : slow(v, args, kwargs));
    case 2:
      return (v, args, kwargs) => (fast(args, kwargs) ? fn(v, at(args, 0), at(args, 1)) : slow(v, args, kwargs));
    case 3:
      return (v, args, kwargs) =>
        fast(args, kwargs) ? fn(v, at(args, 0), at(args, 1), at(args, 2)) : slow(v, args, kwargs);
    case 4:
      return (v, args, kwargs) =>
        fast(args, kwargs) ? fn(v, at(args, 0), at(args, 1), at(args, 2), at(args, 3)) : slow(v, args, kwargs);
    default:
      return slow;
  }
  }
}
