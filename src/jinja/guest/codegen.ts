// Compiles a parsed template to the source of a JS factory `(rt) => render`,
// where render(ctx) returns the output string. Jinja2 statements become
// straight-line JS (loops, ifs, locals per scope), so a warm render does no
// tree walking and no per-render compilation. Generated locals are `var`s:
// QuickJS checks a `let` for its temporal dead zone on every access.
import type { ExprOf, FilterExpr, IfStmt, Stmt } from "./ast.js";
import { BlockCompiler } from "./codegen-blocks.js";
import { TemplateSyntaxError } from "./errors.js";
import { runtime } from "./runtime.js";
import { Scope, makeIds } from "./scope.js";
import { jsString as q } from "./js-literal.js";

const RUNTIME_NAMES = Object.keys(runtime);

export function generate(body: Stmt[]): string {
  return new Codegen().template(body);
}

class Codegen extends BlockCompiler {

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

  protected statements(body: Stmt[]): void {
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

}
