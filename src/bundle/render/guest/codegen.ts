// Compiles a parsed template to the source of a JS factory `(rt) => render`,
// where render(ctx) returns the output string. Jinja2 statements become
// straight-line JS (loops, ifs, local `let`s per scope), so a warm render does
// no tree walking and no per-render compilation.
import type { Expr, ExprOf, FilterExpr, IfStmt, MacroSignature, Stmt } from "./ast.js";
import { ExprCompiler } from "./codegen-expr.js";
import { TemplateSyntaxError } from "./errors.js";
import { runtime } from "./runtime.js";
import { Scope, findStores, makeIds, readsName, targetNames } from "./scope.js";

const q = (s: string): string => JSON.stringify(s);
const RUNTIME_NAMES = Object.keys(runtime);

export function generate(body: Stmt[]): string {
  return new Codegen().template(body);
}

class Codegen extends ExprCompiler {
  private out: string[] = [];
  private buffer = "o";
  private bufferCount = 0;
  private autoescape = false;
  /** The line `L` is known to hold at this point of the generated code, or -1. */
  private line = -1;
  private rootScope!: Scope;
  private readonly blockNames = new Set<string>();

  template(body: Stmt[]): string {
    this.rootScope = this.scope = new Scope(null, makeIds());
    const decls = this.declareStores(body, (name) => this.contextRef(name));
    this.statements(body);
    const main = this.out.join("\n");
    const temps = this.fnTemps[0] as string[];
    return [
      `"use strict";`,
      `var {${RUNTIME_NAMES.map((n) => `${n}: $${n}`).join(", ")}} = rt;`,
      this.hoistedCode(),
      `return function render(ctx) {`,
      `var L = 1;`,
      `try {`,
      temps.length ? `var ${temps.join(", ")};` : "",
      this.contextPrologue(),
      decls,
      `var o = "";`,
      main,
      `return o;`,
      `} catch (e) { throw $locate(e, L); }`,
      `};`,
    ].join("\n");
  }

  private emit(code: string): void {
    this.out.push(code);
  }

  private at(lineno: number): void {
    if (lineno !== this.line) {
      this.emit(`L = ${lineno};`);
      this.line = lineno;
    }
  }

  /** Declares the names a scope assigns, each starting as the enclosing value. */
  private declareStores(body: Stmt[], outer: (name: string) => string): string {
    const lines: string[] = [];
    for (const name of findStores(body)) {
      const init = outer(name);
      lines.push(`var ${this.scope.declare(name)} = ${init};`);
    }
    return lines.join("\n");
  }

  /** Runs `fn` in a new scope whose stores are declared at its top. */
  private inScope(body: Stmt[], fn: () => void, parent: Scope = this.scope, soft = false): void {
    const saved = { scope: this.scope, soft: this.soft };
    const outerScope = parent;
    this.scope = parent.child();
    this.soft = soft;
    this.emit(this.declareStores(body, (name) => outerScope.lookup(name) ?? this.contextRef(name)));
    fn();
    this.scope = saved.scope;
    this.soft = saved.soft;
  }

  private statements(body: Stmt[]): void {
    for (const node of body) this.statement(node);
  }

  private statement(node: Stmt): void {
    switch (node.kind) {
      case "Output":
        return this.output(node);
      case "If":
        return this.ifStmt(node);
      case "For":
        return this.forStmt(node);
      case "Assign":
        this.at(node.lineno);
        return this.assign(node.target, this.expr(node.node));
      case "AssignBlock":
        return this.assignBlock(node);
      case "Macro": {
        this.at(node.lineno);
        const id = this.scope.lookup(node.name) as string;
        this.emit(`${id} = ${this.macro(node.name, node, node.body)};`);
        return;
      }
      case "CallBlock": {
        this.at(node.lineno);
        const caller = this.macro("caller", node, node.body);
        const call = node.call;
        const { args, kwargs } = this.args(call);
        const kw = kwargs === "null" ? `new Map([["caller", ${caller}]])` : `(${kwargs}).set("caller", ${caller})`;
        const callee = call.node.kind === "Getattr" ? null : this.expr(call.node);
        const value =
          callee === null
            ? `$callMethod(${this.expr((call.node as ExprOf<"Getattr">).node)}, ${q((call.node as ExprOf<"Getattr">).attr)}, ${args}, ${kw})`
            : `$call(${callee}, ${args}, ${kw})`;
        this.emit(`${this.buffer} += ${this.print(value)};`);
        return;
      }
      case "FilterBlock":
        return this.filterBlock(node);
      case "With":
        return this.withStmt(node);
      case "Block":
        return this.block(node);
      case "Autoescape":
        return this.autoescapeBlock(node);
      case "Load":
        this.at(node.lineno);
        this.emit(`$noLoader();`);
        return;
    }
  }

  private print(code: string): string {
    return this.autoescape ? `$escapeText(${code})` : this.str(code);
  }

  private output(node: Extract<Stmt, { kind: "Output" }>): void {
    let data = "";
    const flush = (): void => {
      if (data) this.emit(`${this.buffer} += ${q(data)};`);
      data = "";
    };
    for (const child of node.nodes) {
      if (child.kind === "TemplateData") {
        data += child.data;
        continue;
      }
      if (child.kind === "Const" && typeof child.value === "string" && !this.autoescape) {
        data += child.value;
        continue;
      }
      flush();
      this.at(child.lineno);
      this.emit(`${this.buffer} += ${this.print(this.expr(child))};`);
    }
    flush();
  }

  private ifStmt(node: IfStmt): void {
    const soft = this.soft;
    this.soft = true;
    this.at(node.lineno);
    this.emit(`if (${this.cond(node.test)}) {`);
    this.branch(node.body);
    for (const elif of node.elif) {
      // elif tests run after the `if` test failed: L must be set inside the else
      this.emit(`} else if ((L = ${elif.lineno}, ${this.cond(elif.test)})) {`);
      this.line = elif.lineno;
      this.branch(elif.body);
    }
    if (node.else_.length) {
      this.emit(`} else {`);
      this.branch(node.else_);
    }
    this.emit(`}`);
    this.line = -1;
    this.soft = soft;
  }

  private branch(body: Stmt[]): void {
    const line = this.line;
    this.statements(body);
    this.line = line;
  }

  private forStmt(node: Extract<Stmt, { kind: "For" }>): void {
    this.at(node.lineno);
    const targets = new Set<string>();
    targetNames(node.target, targets);
    if (targets.has("loop")) {
      throw new TemplateSyntaxError("Can't assign to special loop variable in for-loop target", node.lineno);
    }
    const iter = this.expr(node.iter);
    if (node.recursive) {
      // a function per recursive loop, with its own temporaries for re-entrant calls
      const fn = this.temp();
      const saved = { out: this.out, buffer: this.buffer };
      this.out = [];
      this.fnTemps.push([]);
      this.buffer = `o${++this.bufferCount}`;
      this.loop(node, "iterable", "depth0", fn);
      const temps = this.fnTemps.pop() as string[];
      const body = this.out;
      this.out = saved.out;
      this.emit(`${fn} = (iterable, depth0) => {`);
      if (temps.length) this.emit(`var ${temps.join(", ")};`);
      this.emit(`var ${this.buffer} = "";`);
      this.out.push(...body);
      this.emit(`return ${this.buffer};`);
      this.emit(`};`);
      this.buffer = saved.buffer;
      this.emit(`${this.buffer} += ${fn}(${iter}, 0);`);
    } else this.loop(node, iter, "0", null);
    this.line = -1;
  }

  private loop(node: Extract<Stmt, { kind: "For" }>, iter: string, depth: string, recurse: string | null): void {
    const items = this.temp();
    const i = this.temp();
    this.emit(`${items} = $iterate(${iter});`);
    if (node.test) {
      // `for x in xs if cond`: Jinja2 filters first, so loop.length counts kept items
      const kept = this.temp();
      const k = this.temp();
      this.emit(`${kept} = [];`);
      this.emit(`for (${k} = 0; ${k} < ${items}.length; ${k}++) {`);
      this.inScope([], () => {
        this.bindTarget(node.target, `${items}[${k}]`);
        this.emit(`if (${this.cond(node.test as Expr)}) ${kept}.push(${items}[${k}]);`);
      });
      this.emit(`}`);
      this.emit(`${items} = ${kept};`);
    }
    const usesLoop = readsName(node.body, "loop") || node.recursive;
    const loopVar = usesLoop ? this.temp() : null;
    if (loopVar) this.emit(`${loopVar} = new $LoopContext(${items}, ${depth}, ${recurse ?? "null"});`);
    this.emit(`for (${i} = 0; ${i} < ${items}.length; ${i}++) {`);
    this.line = -1;
    this.inScope(node.body, () => {
      if (loopVar) {
        const id = this.scope.declare("loop");
        this.loopIds.add(id);
        this.emit(`var ${id} = ${loopVar}; ${id}.i0 = ${i};`);
      }
      this.bindTarget(node.target, `${items}[${i}]`);
      this.statements(node.body);
    });
    this.emit(`}`);
    this.line = -1;
    if (node.else_.length) {
      this.emit(`if (${items}.length === 0) {`);
      this.inScope(node.else_, () => this.statements(node.else_));
      this.emit(`}`);
    }
  }

  /** Declares loop/with targets in the current scope and binds them from `value`. */
  private bindTarget(target: Expr, value: string): void {
    if (target.kind === "Name") {
      this.emit(`var ${this.scope.declare(target.name)} = ${value};`);
      return;
    }
    const items = target.kind === "Tuple" ? target.items : [];
    const parts = this.temp();
    this.emit(`${parts} = $unpack(${value}, ${items.length});`);
    items.forEach((t, k) => this.bindTarget(t, `${parts}[${k}]`));
  }

  /** `{% set target = value %}` into already-declared scope variables. */
  private assign(target: Expr, value: string): void {
    if (target.kind === "Name") {
      this.emit(`${this.resolve(target.name)} = ${value};`);
    } else if (target.kind === "NSRef") {
      const ns = this.temp();
      this.emit(`${ns} = $nsCheck(${this.resolve(target.name)});`);
      this.emit(`${ns}.attrs.set(${q(target.attr)}, ${value});`);
    } else if (target.kind === "Tuple") {
      for (const t of target.items) if (t.kind === "NSRef") this.emit(`$nsCheck(${this.resolve(t.name)});`);
      const parts = this.temp();
      this.emit(`${parts} = $unpack(${value}, ${target.items.length});`);
      target.items.forEach((t, k) => this.assign(t, `${parts}[${k}]`));
    }
  }

  /** Renders `body` into a fresh buffer in its own scope; returns the buffer variable. */
  private capture(body: Stmt[]): string {
    const saved = this.buffer;
    const buf = `o${++this.bufferCount}`;
    this.emit(`var ${buf} = "";`);
    this.buffer = buf;
    const line = this.line;
    this.inScope(body, () => this.statements(body));
    this.line = line === -1 ? -1 : this.line;
    this.buffer = saved;
    return buf;
  }

  private assignBlock(node: Extract<Stmt, { kind: "AssignBlock" }>): void {
    this.at(node.lineno);
    this.emit(`{`);
    const buf = this.capture(node.body);
    const value = node.filter ? this.applyFilter(node.filter, buf) : buf;
    this.assign(node.target, this.autoescape ? `new $Markup($str(${value}))` : value);
    this.emit(`}`);
  }

  private applyFilter(filter: FilterExpr, value: string): string {
    // a filter chain `| a | b` nests with the innermost filter applied first
    if (filter.node && filter.node.kind === "Filter") {
      return this.filter(filter, this.applyFilter(filter.node, value));
    }
    return this.filter(filter, this.autoescape ? `new $Markup(${value})` : value);
  }

  private filterBlock(node: Extract<Stmt, { kind: "FilterBlock" }>): void {
    this.at(node.lineno);
    this.emit(`{`);
    const soft = this.soft;
    this.soft = false;
    const buf = this.capture(node.body);
    this.soft = soft;
    this.emit(`${this.buffer} += ${this.print(this.applyFilter(node.filter, buf))};`);
    this.emit(`}`);
  }

  private withStmt(node: Extract<Stmt, { kind: "With" }>): void {
    this.at(node.lineno);
    const values = node.values.map((v) => this.expr(v));
    this.emit(`{`);
    this.inScope(node.body, () => {
      node.targets.forEach((t, k) => this.bindTarget(t, values[k] as string));
      this.statements(node.body);
    });
    this.emit(`}`);
    this.line = -1;
  }

  private block(node: Extract<Stmt, { kind: "Block" }>): void {
    if (this.blockNames.has(node.name)) {
      throw new TemplateSyntaxError(`block '${node.name}' defined twice`, node.lineno);
    }
    this.blockNames.add(node.name);
    this.emit(`{`);
    // a block sees the template's top-level names, not enclosing loop variables
    this.inScope(node.body, () => this.statements(node.body), this.rootScope);
    this.emit(`}`);
    this.line = -1;
  }

  private autoescapeBlock(node: Extract<Stmt, { kind: "Autoescape" }>): void {
    if (node.value.kind !== "Const") {
      throw new TemplateSyntaxError("Baryon supports only a constant {% autoescape %} value", node.lineno);
    }
    const saved = this.autoescape;
    this.autoescape = Boolean(node.value.value);
    this.emit(`{`);
    this.inScope(node.body, () => this.statements(node.body));
    this.emit(`}`);
    this.autoescape = saved;
  }

  /** A macro (or call-block caller) as a JS closure wrapped by $macro. */
  private macro(name: string, sig: MacroSignature, body: Stmt[]): string {
    const flags = {
      caller: !sig.args.includes("caller") && readsName(body, "caller"),
      kwargs: readsName(body, "kwargs"),
      varargs: readsName(body, "varargs"),
    };
    const params = [...sig.args];
    if (flags.caller) params.push("caller");
    if (flags.kwargs) params.push("kwargs");
    if (flags.varargs) params.push("varargs");
    const saved = { out: this.out, buffer: this.buffer, line: this.line, soft: this.soft, scope: this.scope };
    this.out = [];
    this.fnTemps.push([]);
    this.buffer = "o";
    this.line = -1;
    this.soft = false;
    this.scope = this.scope.child();
    const argIds = params.map((p) => this.scope.declare(p));
    const firstDefault = sig.args.length - sig.defaults.length;
    sig.args.forEach((p, k) => {
      const id = argIds[k] as string;
      const dflt = k >= firstDefault ? this.expr(sig.defaults[k - firstDefault] as Expr) : `$undefinedParam(${q(p)})`;
      this.emit(`if (${id} === $MISSING) ${id} = ${dflt};`);
    });
    this.scope = this.scope.child();
    this.emit(this.declareStores(body, (n) => (this.scope.parent as Scope).lookup(n) ?? this.contextRef(n)));
    this.statements(body);
    const temps = this.fnTemps.pop() as string[];
    const code = [
      `$macro(${q(name)}, ${JSON.stringify(sig.args)}, ${JSON.stringify(flags)}, function (${argIds.join(", ")}) {`,
      `var L0 = L;`,
      temps.length ? `var ${temps.join(", ")};` : "",
      `var o = "";`,
      ...this.out,
      `L = L0;`,
      `return o;`,
      `})`,
    ].join("\n");
    Object.assign(this, saved);
    return code;
  }
}
