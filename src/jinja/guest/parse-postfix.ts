// Jinja2's postfix expressions: `.attr`, `[item]`, `[a:b:c]`, calls with
// keyword, *args and **kwargs arguments, `| filter(...)` and `is test ...`.
import type { Args, Expr, ExprOf, FilterExpr, Keyword } from "./ast.js";
import { TokenStream } from "./token-stream.js";

export abstract class PostfixParser extends TokenStream {
  abstract parseExpression(withCondexpr?: boolean): Expr;
  abstract parsePrimary(withNamespace?: boolean): Expr;

  protected parsePostfix(node: Expr): Expr {
    for (;;) {
      const t = this.current.type;
      if (t === "dot" || t === "lbracket") node = this.parseSubscript(node);
      else if (t === "lparen") node = this.parseCall(node);
      else return node;
    }
  }

  protected parseFilterExpr(node: Expr): Expr {
    for (;;) {
      const t = this.current.type;
      if (t === "pipe") node = this.parseFilter(node) as Expr;
      else if (t === "name" && this.current.value === "is") node = this.parseTest(node);
      else if (t === "lparen") node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(node: Expr): Expr {
    const tok = this.next();
    const lineno = tok.lineno;
    if (tok.type === "dot") {
      const attr = this.next();
      if (attr.type === "name") return { kind: "Getattr", node, attr: String(attr.value), lineno };
      if (attr.type !== "integer") this.fail("expected name or number", attr.lineno);
      return { kind: "Getitem", node, arg: { kind: "Const", value: attr.value, lineno: attr.lineno }, lineno };
    }
    const args: Expr[] = [];
    while (this.current.type !== "rbracket") {
      if (args.length) this.expect("comma");
      args.push(this.parseSubscribed());
    }
    this.expect("rbracket");
    const arg = args.length === 1 ? (args[0] as Expr) : ({ kind: "Tuple", items: args, lineno } as Expr);
    return { kind: "Getitem", node, arg, lineno };
  }

  private parseSubscribed(): Expr {
    const lineno = this.current.lineno;
    const parts: (Expr | null)[] = [];
    if (this.current.type === "colon") {
      this.next();
      parts.push(null);
    } else {
      const node = this.parseExpression();
      if (this.current.type !== "colon") return node;
      this.next();
      parts.push(node);
    }
    if (this.current.type === "colon") parts.push(null);
    else if (this.current.type !== "rbracket" && this.current.type !== "comma") parts.push(this.parseExpression());
    else parts.push(null);
    if (this.current.type === "colon") {
      this.next();
      const type: string = this.current.type;
      parts.push(type === "rbracket" || type === "comma" ? null : this.parseExpression());
    } else parts.push(null);
    return { kind: "Slice", start: parts[0] ?? null, stop: parts[1] ?? null, step: parts[2] ?? null, lineno };
  }

  protected parseCallArgs(): Args {
    const tok = this.expect("lparen");
    const out: Args = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    const ensure = (ok: boolean): void => {
      if (!ok) this.fail("invalid syntax for function call expression", tok.lineno);
    };
    let requireComma = false;
    while (this.current.type !== "rparen") {
      if (requireComma) {
        this.expect("comma");
        if (this.current.type === "rparen") break;
      }
      if (this.current.type === "mul") {
        ensure(out.dynArgs === null && out.dynKwargs === null);
        this.next();
        out.dynArgs = this.parseExpression();
      } else if (this.current.type === "pow") {
        ensure(out.dynKwargs === null);
        this.next();
        out.dynKwargs = this.parseExpression();
      } else if (this.current.type === "name" && this.look().type === "assign") {
        ensure(out.dynKwargs === null);
        const key = String(this.next().value);
        this.next();
        out.kwargs.push({ key, value: this.parseExpression() } satisfies Keyword);
      } else {
        ensure(out.dynArgs === null && out.dynKwargs === null && out.kwargs.length === 0);
        out.args.push(this.parseExpression());
      }
      requireComma = true;
    }
    this.expect("rparen");
    return out;
  }

  private parseCall(node: Expr): Expr {
    const lineno = this.current.lineno;
    return { kind: "Call", node, ...this.parseCallArgs(), lineno };
  }

  protected parseFilter(node: Expr | null, startInline = false): FilterExpr | Expr | null {
    while (this.current.type === "pipe" || startInline) {
      if (!startInline) this.next();
      const tok = this.expect("name");
      let name = String(tok.value);
      while (this.current.type === "dot") {
        this.next();
        name += "." + String(this.expect("name").value);
      }
      const args: Args =
        this.current.type === "lparen" ? this.parseCallArgs() : { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
      node = { kind: "Filter", node, name, ...args, lineno: tok.lineno };
      startInline = false;
    }
    return node;
  }

  private parseTest(node: Expr): Expr {
    const tok = this.next();
    const negated = this.skipIf("name:not");
    let name = String(this.expect("name").value);
    while (this.current.type === "dot") {
      this.next();
      name += "." + String(this.expect("name").value);
    }
    let args: Args = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    const cur = this.current;
    if (cur.type === "lparen") args = this.parseCallArgs();
    else if (
      ["name", "string", "integer", "float", "lparen", "lbracket", "lbrace"].includes(cur.type) &&
      !(cur.type === "name" && (cur.value === "else" || cur.value === "or" || cur.value === "and"))
    ) {
      if (this.test(cur, "name:is")) this.fail("You cannot chain multiple tests with is");
      args.args = [this.parsePostfix(this.parsePrimary())];
    }
    const test: ExprOf<"Test"> = { kind: "Test", node, name, ...args, lineno: tok.lineno };
    return negated ? { kind: "Not", node: test, lineno: tok.lineno } : test;
  }
}
