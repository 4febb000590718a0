// Code generation for the statements that open scopes or functions: for
// loops (with the loop object, filters, else and recursion), macros and call
// blocks, captures, `with` and `block`, plus the shared emitter state.
import type { Expr, MacroSignature, Stmt } from "./ast.js";
import { ExprCompiler } from "./codegen-expr.js";
import { TemplateSyntaxError } from "./errors.js";
import { Scope, findStores, readsName, targetNames } from "./scope.js";
import { jsLiteral, jsString as q } from "./js-literal.js";

export abstract class BlockCompiler extends ExprCompiler {
  protected out: string[] = [];
  protected buffer = "o";
  protected bufferCount = 0;
  protected autoescape = false;
  /** The line `L` is known to hold at this point of the generated code, or -1. */
  protected line = -1;
  protected rootScope!: Scope;
  private readonly blockNames = new Set<string>();

  protected abstract statements(body: Stmt[]): void;

  protected emit(code: string): void {
    this.out.push(code);
  }

  protected at(lineno: number): void {
    if (lineno !== this.line) {
      this.emit(`L = ${lineno};`);
      this.line = lineno;
    }
  }

  /** Declares the names a scope assigns, each starting as the enclosing value. */
  protected declareStores(body: Stmt[], outer: (name: string) => string): string {
    const lines: string[] = [];
    for (const name of findStores(body)) {
      const init = outer(name);
      lines.push(`var ${this.scope.declare(name)} = ${init};`);
    }
    return lines.join("\n");
  }

  /** Runs `fn` in a new scope whose stores are declared at its top. */
  protected inScope(body: Stmt[], fn: () => void, parent: Scope = this.scope, soft = false): void {
    const saved = { scope: this.scope, soft: this.soft };
    const outerScope = parent;
    this.scope = parent.child();
    this.soft = soft;
    this.emit(this.declareStores(body, (name) => outerScope.lookup(name) ?? this.contextRef(name)));
    fn();
    this.scope = saved.scope;
    this.soft = saved.soft;
  }

  protected forStmt(node: Extract<Stmt, { kind: "For" }>): void {
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

  protected loop(node: Extract<Stmt, { kind: "For" }>, iter: string, depth: string, recurse: string | null): void {
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
      if (node.target.kind === "Tuple") {
        // unpacking fails on the `for` line, after the previous iteration moved L
        this.emit(`L = ${node.lineno};`);
        this.line = node.lineno;
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
  protected bindTarget(target: Expr, value: string): void {
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
  protected assign(target: Expr, value: string): void {
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
  protected capture(body: Stmt[]): string {
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

  protected withStmt(node: Extract<Stmt, { kind: "With" }>): void {
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

  protected block(node: Extract<Stmt, { kind: "Block" }>): void {
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

  /** A macro (or call-block caller) as a JS closure wrapped by $macro. */
  protected macro(name: string, sig: MacroSignature, body: Stmt[]): string {
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
      `$macro(${q(name)}, ${jsLiteral(sig.args)}, ${jsLiteral(flags)}, function (${argIds.join(", ")}) {`,
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
