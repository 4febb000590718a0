// Template source -> render function, with a bounded cache keyed by source so
// warm renders skip lexing, parsing, code generation and JS compilation.
import { generate } from "./codegen.js";
import { parse } from "./parser.js";
import { runtime } from "./runtime.js";

export type RenderFn = (ctx: Map<unknown, unknown>) => string;

// Captured before lockdown: templates cannot name it, the compiler still needs it.
const FunctionCtor = Function;

export function compileTemplate(source: string): RenderFn {
  const code = generate(parse(source));
  const factory = new FunctionCtor("rt", code) as (rt: typeof runtime) => RenderFn;
  return factory(runtime);
}

/** A least-recently-used cache of compile results (successes and failures). */
export class TemplateCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly capacity: number) {}

  get(key: string, make: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = make();
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
