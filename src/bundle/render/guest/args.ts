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
