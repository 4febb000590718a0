// The default Jinja2 globals: range, dict, namespace, cycler, joiner, lipsum.
import { PyError, TemplateRuntimeError, typeError, valueError } from "./errors.js";
import { NOT_FOUND, Callable, Namespace, PyFloat, PyRange, dictKey, isNumber, iterate, num, str, typeName, type HasAttrs } from "./python.js";
import type { Kwargs } from "./attrs.js";

function intArg(v: unknown): number {
  // Python's range takes big ints lazily; Baryon's holds numbers (docs/rendering.md)
  if (typeof v === "bigint") throw new PyError("OverflowError", "Python int too large to convert to C ssize_t");
  if (!isNumber(v) || v instanceof PyFloat || !Number.isInteger(num(v))) {
    throw typeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  return num(v);
}

function range(args: unknown[]): PyRange {
  if (args.length === 0) throw typeError("range expected at least 1 argument, got 0");
  if (args.length > 3) throw typeError(`range expected at most 3 arguments, got ${args.length}`);
  const [a, b, c] = args.map(intArg) as [number, number?, number?];
  if (c === 0) throw valueError("range() arg 3 must not be zero");
  return b === undefined ? new PyRange(0, a, 1) : new PyRange(a, b, c ?? 1);
}

function dict(args: unknown[], kwargs: Kwargs): Map<unknown, unknown> {
  if (args.length > 1) throw typeError(`dict expected at most 1 argument, got ${args.length}`);
  const out = new Map<unknown, unknown>();
  const src = args[0];
  if (src instanceof Map) for (const [k, v] of src) out.set(k, v);
  else if (src !== undefined) {
    for (const pair of iterate(src)) {
      const kv = iterate(pair);
      if (kv.length !== 2) {
        throw valueError(`dictionary update sequence element #0 has length ${kv.length}; 2 is required`);
      }
      out.set(dictKey(kv[0]), kv[1]);
    }
  }
  if (kwargs) for (const [k, v] of kwargs) out.set(k, v);
  return out;
}

class Cycler implements HasAttrs {
  static readonly pyName = "Cycler";
  pos = 0;
  constructor(readonly items: unknown[]) {}
  pyAttr(name: string): unknown {
    switch (name) {
      case "items":
        return this.items;
      case "pos":
        return this.pos;
      case "current":
        return this.items[this.pos];
      case "next":
        return new Callable("next", () => {
          const rv = this.items[this.pos];
          this.pos = (this.pos + 1) % this.items.length;
          return rv;
        });
      case "reset":
        return new Callable("reset", () => {
          this.pos = 0;
          return null;
        });
      default:
        return NOT_FOUND;
    }
  }
}

function makeJoiner(args: unknown[], kwargs: Kwargs): Callable {
  const sep = args.length ? args[0] : kwargs?.has("sep") ? kwargs.get("sep") : ", ";
  let used = false;
  return new Callable("joiner", () => {
    if (!used) {
      used = true;
      return "";
    }
    return str(sep);
  }, "Joiner");
}

export const GLOBALS = new Map<string, unknown>([
  ["range", new Callable("range", range, "type")],
  ["dict", new Callable("dict", dict, "type")],
  [
    "namespace",
    new Callable("namespace", (args, kwargs) => {
      const ns = new Namespace();
      for (const [k, v] of dict(args, kwargs)) ns.attrs.set(String(k), v);
      return ns;
    }, "type"),
  ],
  [
    "cycler",
    new Callable("cycler", (args) => {
      if (!args.length) throw new TemplateRuntimeError("at least one item has to be provided");
      return new Cycler(args);
    }, "type"),
  ],
  ["joiner", new Callable("joiner", makeJoiner, "type")],
  [
    "lipsum",
    new Callable("lipsum", () => {
      // Jinja2's lipsum is random text; a rendered infrastructure template must be reproducible.
      throw new TemplateRuntimeError("lipsum() is not supported by Baryon (its output is random)");
    }),
  ],
]);
