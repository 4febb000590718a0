// Compiles template expressions to JS expressions over the Python value model.
// Everything template-controlled reaches the generated source only as
// string literals (js-literal.ts) or generated identifiers.
import type { Direct } from "./args.js";
import type { Args, CompareOp, Expr, ExprOf } from "./ast.js";
import { TemplateSyntaxError } from "./errors.js";
import { PyFloat } from "./python.js";
import { filters, tests } from "./registry.js";
import type { Scope } from "./scope.js";
import { DICT_METHOD_NAMES } from "./attrs.js";
import { jsLiteral, jsString as q } from "./js-literal.js";

const BINOPS = { add: "$add", sub: "$sub", mul: "$mul", div: "$div", floordiv: "$floordiv", mod: "$mod", pow: "$pow" };
const COMPARE: Record<CompareOp, (a: string, b: string) => string> = {
  eq: (a, b) => `$eq(${a}, ${b})`,
  ne: (a, b) => `!$eq(${a}, ${b})`,
  lt: (a, b) => `$lt(${a}, ${b})`,
  gt: (a, b) => `$gt(${a}, ${b})`,
  lteq: (a, b) => `$le(${a}, ${b})`,
  gteq: (a, b) => `$ge(${a}, ${b})`,
  // Python evaluates the left operand first
  in: (a, b) => `$isIn(${a}, ${b})`,
  notin: (a, b) => `!$isIn(${a}, ${b})`,
};

/** LoopContext attributes the compiler can read directly off the loop variable. */
const LOOP_FAST: Record<string, (l: string) => string> = {
  index: (l) => `(${l}.i0 + 1)`,
  index0: (l) => `${l}.i0`,
  first: (l) => `(${l}.i0 === 0)`,
  last: (l) => `(${l}.i0 === ${l}.items.length - 1)`,
  length: (l) => `${l}.items.length`,
  revindex: (l) => `(${l}.items.length - ${l}.i0)`,
  revindex0: (l) => `(${l}.items.length - ${l}.i0 - 1)`,
};

export abstract class ExprCompiler {
  protected scope!: Scope;
  /** Inside `if`/inline-if: unknown filters and tests fail when run, not when compiled. */
  protected soft = false;
  protected readonly loopIds = new Set<string>();
  private readonly hoisted: string[] = [];
  private readonly hoistIds = new Map<string, string>();
  private readonly contextIds = new Map<string, string>();
  private tempCount = 0;
  protected readonly fnTemps: string[][] = [[]];

  /** Factory-level constants (filters, tests, float literals). */
  protected hoist(key: string, code: string): string {
    let id = this.hoistIds.get(key);
    if (!id) {
      id = `h${this.hoistIds.size + 1}`;
      this.hoistIds.set(key, id);
      this.hoisted.push(`var ${id} = ${code};`);
    }
    return id;
  }

  protected hoistedCode(): string {
    return this.hoisted.join("\n");
  }

  /** Context names read by the template, looked up once per render. */
  protected contextPrologue(): string {
    return Array.from(this.contextIds, ([name, id]) => `var ${id} = $lookup(ctx, ${q(name)});`).join("\n");
  }

  protected contextRef(name: string): string {
    let id = this.contextIds.get(name);
    if (!id) {
      id = `c${this.contextIds.size + 1}_${name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 24)}`;
      this.contextIds.set(name, id);
    }
    return id;
  }

  protected temp(): string {
    const t = `t${++this.tempCount}`;
    (this.fnTemps[this.fnTemps.length - 1] as string[]).push(t);
    return t;
  }

  protected resolve(name: string): string {
    return this.scope.lookup(name) ?? this.contextRef(name);
  }

  /** A JS expression evaluating to a JS boolean with Python truthiness. */
  cond(e: Expr): string {
    switch (e.kind) {
      case "Compare":
      case "Test":
        return this.expr(e);
      case "Not":
        return `!(${this.cond(e.node)})`;
      case "And":
        return `(${this.cond(e.left)} && ${this.cond(e.right)})`;
      case "Or":
        return `(${this.cond(e.left)} || ${this.cond(e.right)})`;
      case "Const":
        if (typeof e.value === "boolean") return String(e.value);
        return `$truthy(${this.expr(e)})`;
      default:
        return `$truthy(${this.expr(e)})`;
    }
  }

  expr(e: Expr): string {
    switch (e.kind) {
      case "Const":
        return this.constant(e.value);
      case "Name":
        return this.resolve(e.name);
      case "NSRef":
        throw new TemplateSyntaxError("namespace references can only be assigned to", e.lineno);
      case "Tuple":
        return `$tuple([${e.items.map((i) => this.expr(i)).join(", ")}])`;
      case "List":
        return `[${e.items.map((i) => this.expr(i)).join(", ")}]`;
      case "Dict": {
        const pairs = e.items.map((p) => `[${this.dictKey(p.key)}, ${this.expr(p.value)}]`).join(", ");
        // only computed keys can collide the Python way (True == 1 == 1.0)
        const plain = e.items.every((p) => p.key.kind === "Const" && typeof p.key.value === "string");
        return plain ? `new $Map([${pairs}])` : `$dict([${pairs}])`;
      }
      case "Getattr":
        return this.getattr(e);
      case "Getitem":
        if (e.arg.kind === "Slice") {
          const part = (x: Expr | null): string => (x ? this.expr(x) : "null");
          return `$slice(${this.expr(e.node)}, ${part(e.arg.start)}, ${part(e.arg.stop)}, ${part(e.arg.step)})`;
        }
        return `$getitem(${this.expr(e.node)}, ${this.expr(e.arg)})`;
      case "Slice":
        throw new TemplateSyntaxError("slices are only allowed in subscripts", e.lineno);
      case "Call":
        return this.call(e);
      case "Filter":
        return this.filter(e, e.node ? this.expr(e.node) : "");
      case "Test":
        return this.test(e);
      case "CondExpr": {
        const soft = this.soft;
        this.soft = true;
        const out = `(${this.cond(e.test)} ? ${this.expr(e.expr1)} : ${
          e.expr2 ? this.expr(e.expr2) : `$condUndefined(${e.lineno})`
        })`;
        this.soft = soft;
        return out;
      }
      case "And": {
        const t = this.temp();
        return `($truthy(${t} = ${this.expr(e.left)}) ? ${this.expr(e.right)} : ${t})`;
      }
      case "Or": {
        const t = this.temp();
        return `($truthy(${t} = ${this.expr(e.left)}) ? ${t} : ${this.expr(e.right)})`;
      }
      case "Not":
        return `!(${this.cond(e.node)})`;
      case "Neg":
        return `$neg(${this.expr(e.node)})`;
      case "Pos":
        return `$pos(${this.expr(e.node)})`;
      case "BinOp":
        return `${BINOPS[e.op]}(${this.expr(e.left)}, ${this.expr(e.right)})`;
      case "Concat": {
        // every operand is evaluated before any is converted, as in Jinja2's str_join
        const temps = e.nodes.map((n) => {
          const t = this.temp();
          return { t, code: `${t} = ${this.expr(n)}` };
        });
        return `(${temps.map((x) => x.code).join(", ")}, ${temps.map((x) => this.str(x.t)).join(" + ")})`;
      }
      case "Compare":
        return this.compare(e);
    }
  }

  private constant(v: unknown): string {
    if (typeof v === "string") return q(v);
    if (v instanceof PyFloat) return this.hoist(`float:${v.v}`, `new $PyFloat(${String(v.v)})`);
    if (typeof v === "number") return Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : "-Infinity";
    if (typeof v === "bigint") return this.hoist(`int:${v}`, `${v}n`);
    return String(v);
  }

  private dictKey(k: Expr): string {
    if (k.kind === "Const" && typeof k.value === "string") return q(k.value);
    return `$dictKey(${this.expr(k)})`;
  }

  private getattr(e: ExprOf<"Getattr">): string {
    if (e.node.kind === "Name") {
      const id = this.scope.lookup(e.node.name);
      const fast = LOOP_FAST[e.attr];
      if (id && fast && this.loopIds.has(id)) return fast(id);
    }
    const obj = this.expr(e.node);
    if (DICT_METHOD_NAMES.has(e.attr)) return `$getattr(${obj}, ${q(e.attr)})`;
    // inline the common case, a dict key: QuickJS calls are costly on hot paths
    const t = this.temp();
    const v = this.temp();
    return `((${t} = ${obj}) instanceof $Map && (${v} = ${t}.get(${q(e.attr)})) !== undefined ? ${v} : $getattr(${t}, ${q(e.attr)}))`;
  }

  /** `str(value)`, inlined for the common case of a str. */
  protected str(code: string): string {
    const t = this.temp();
    return `(typeof (${t} = ${code}) === "string" ? ${t} : $str(${t}))`;
  }

  protected args(a: Args): { args: string; kwargs: string } {
    let args = a.args.length ? `[${a.args.map((x) => this.expr(x)).join(", ")}]` : "$NOARGS";
    if (a.dynArgs) args = `[...${args}, ...$iterate(${this.expr(a.dynArgs)})]`;
    let kwargs = a.kwargs.length ? `new Map([${a.kwargs.map((k) => `[${q(k.key)}, ${this.expr(k.value)}]`).join(", ")}])` : "null";
    if (a.dynKwargs) kwargs = `$kwargsMerge(${kwargs}, ${this.expr(a.dynKwargs)})`;
    return { args, kwargs };
  }

  private call(e: ExprOf<"Call">): string {
    const { args, kwargs } = this.args(e);
    if (e.node.kind === "Getattr") {
      // the attribute lookup (which fails on an undefined object) happens before the arguments run
      const t = this.temp();
      const obj = `((${t} = ${this.expr(e.node.node)}) instanceof $Undefined ? ${t}.fail() : ${t})`;
      return `$callMethod(${obj}, ${q(e.node.attr)}, ${args}, ${kwargs})`;
    }
    return `$call(${this.expr(e.node)}, ${args}, ${kwargs})`;
  }

  protected filter(e: ExprOf<"Filter">, value: string): string {
    const f = filters.get(e.name);
    if (!f) return `${this.unknown("filter", e.name, e.lineno)}(${value}, ${this.args(e).args})`;
    const direct = this.direct("filters", e.name, f.direct, e, value);
    if (direct) return direct;
    const fn = this.hoist(`filter:${e.name}`, `$filters.get(${q(e.name)})`);
    const { args, kwargs } = this.args(e);
    return `${fn}(${value}, ${args}, ${kwargs})`;
  }

  /**
   * `impl(value, a, b, <defaults>)` for a call with only positional arguments:
   * no argument array, no binding at run time.
   */
  private direct(table: "filters" | "tests", name: string, d: Direct | undefined, a: Args, value: string): string | null {
    if (!d || a.kwargs.length || a.dynArgs || a.dynKwargs) return null;
    if (a.args.length < d.minArgs || a.args.length > d.params.length) return null;
    const impl = this.hoist(`${table}-impl:${name}`, `$${table}.get(${q(name)}).direct.impl`);
    const args = a.args.map((x) => this.expr(x));
    for (let i = a.args.length; i < d.params.length; i++) {
      const dv = d.defaults[i];
      args.push(
        dv === null || typeof dv === "boolean" || typeof dv === "string" || (typeof dv === "number" && Number.isFinite(dv))
          ? jsLiteral(dv)
          : this.hoist(`${table}-default:${name}:${i}`, `$${table}.get(${q(name)}).direct.defaults[${i}]`),
      );
    }
    return `${impl}(${[value, ...args].join(", ")})`;
  }

  private test(e: ExprOf<"Test">): string {
    const value = this.expr(e.node);
    const plain = e.args.length === 0 && e.kwargs.length === 0 && !e.dynArgs && !e.dynKwargs;
    if (plain && e.name === "defined") return `!(${value} instanceof $Undefined)`;
    if (plain && e.name === "undefined") return `(${value} instanceof $Undefined)`;
    if (plain && e.name === "none") return `(${value} === null)`;
    const t = tests.get(e.name);
    if (!t) return `${this.unknown("test", e.name, e.lineno)}(${value}, ${this.args(e).args})`;
    const direct = this.direct("tests", e.name, t.direct, e, value);
    if (direct) return `!!${direct}`;
    const fn = this.hoist(`test:${e.name}`, `$tests.get(${q(e.name)})`);
    const { args, kwargs } = this.args(e);
    return `${fn}(${value}, ${args}, ${kwargs})`;
  }

  private unknown(kind: "filter" | "test", name: string, lineno: number): string {
    if (!this.soft) throw new TemplateSyntaxError(`No ${kind} named '${name}'.`, lineno);
    return this.hoist(`no-${kind}:${name}`, `() => $noFilter(${q(kind)}, ${q(name)})`);
  }

  private compare(e: ExprOf<"Compare">): string {
    let left = this.expr(e.expr);
    const parts: string[] = [];
    e.ops.forEach((op, i) => {
      let right = this.expr(op.expr);
      if (i < e.ops.length - 1) {
        const t = this.temp();
        right = `(${t} = ${right})`;
        parts.push(COMPARE[op.op](left, right));
        left = t;
      } else parts.push(COMPARE[op.op](left, right));
    });
    return parts.length === 1 ? (parts[0] as string) : `(${parts.join(" && ")})`;
  }
}
