// Adapts filters written against plain JS values (Proton's proton_cfn_*
// filters, written for plain objects) to the Python value model: keyword
// arguments arrive as a trailing object marked `__keywords: true`.
import type { Kwargs } from "./attrs.js";
import { TemplateError, TemplateRuntimeError } from "./errors.js";
import type { Filter } from "./filters-text.js";
import { Markup, PyFloat, PyIterator, Undefined } from "./python.js";

function toPlain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.v;
  if (v instanceof Markup) return v.s;
  if (v instanceof Undefined) return undefined;
  if (v instanceof PyIterator) return v.drain();
  return v;
}

function fromPlain(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) return v;
  if (Array.isArray(v) || v instanceof Map) return v;
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromPlain(x)]));
  }
  return String(v);
}

let calls = 0;

/** How many adapted filters have run: a render that ran none needs no post-pass for their output. */
export function externalFilterCalls(): number {
  return calls;
}

export function adaptFilter(name: string, fn: (...args: any[]) => unknown): Filter {
  return (value: unknown, args: unknown[], kwargs: Kwargs) => {
    calls++;
    const plainValue = toPlain(value);
    const plain = [plainValue, ...args.map(toPlain)];
    if (kwargs) {
      const kw: Record<string, unknown> = { __keywords: true };
      for (const [k, x] of kwargs) Object.defineProperty(kw, k, { value: toPlain(x), enumerable: true, writable: true, configurable: true });
      plain.push(kw);
    }
    let result: unknown;
    try {
      result = fn(...plain);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw new TemplateRuntimeError(e instanceof Error ? e.message : `${name}: ${String(e)}`);
    }
    return result === plainValue ? value : fromPlain(result);
  };
}
