// Jinja2's statement grammar (jinja2/parser.py): the tags a default
// Environment knows, with its error messages for unknown and unclosed tags.
import type { Expr, ExprOf, FilterExpr, IfStmt, MacroSignature, Stmt } from "./ast.js";
import { describeExpr, tokenize } from "./lexer.js";
import { ExprParser } from "./parse-expr.js";

const STATEMENT_KEYWORDS = new Set([
  "for",
  "if",
  "block",
  "extends",
  "print",
  "macro",
  "include",
  "from",
  "import",
  "set",
  "with",
  "autoescape",
]);

export function parse(source: string): Stmt[] {
  return new Parser(source).parseTemplate();
}

class Parser extends ExprParser {
  /** Open tags and the end tags being looked for, for Jinja2's unknown-tag messages. */
  private readonly tagStack: string[] = [];
  private readonly endTokenStack: string[][] = [];

  constructor(source: string) {
    super(tokenize(source));
  }

  parseTemplate(): Stmt[] {
    return this.subparse(null);
  }

  private subparse(endTokens: string[] | null): Stmt[] {
    const body: Stmt[] = [];
    let data: Extract<Stmt, { kind: "Output" }>["nodes"] = [];
    const flush = (): void => {
      if (data.length) body.push({ kind: "Output", nodes: data, lineno: (data[0] as Expr).lineno });
      data = [];
    };
    if (endTokens) this.endTokenStack.push(endTokens);
    try {
      while (this.current.type !== "eof") {
        const tok = this.current;
        if (tok.type === "data") {
          if (tok.value) data.push({ kind: "TemplateData", data: String(tok.value), lineno: tok.lineno });
          this.next();
        } else if (tok.type === "variable_begin") {
          this.next();
          data.push(this.parseTuple({ withCondexpr: true }));
          this.expect("variable_end");
        } else if (tok.type === "block_begin") {
          flush();
          this.next();
          if (endTokens && endTokens.some((e) => this.test(this.current, e))) return body;
          body.push(...this.parseStatement());
          this.expect("block_end");
        } else this.fail("internal parsing error");
      }
      flush();
    } finally {
      if (endTokens) this.endTokenStack.pop();
    }
    return body;
  }

  private parseStatement(): Stmt[] {
    const tok = this.current;
    if (tok.type !== "name") this.fail("tag name expected");
    const name = String(tok.value);
    this.tagStack.push(name);
    let pop = true;
    try {
      if (STATEMENT_KEYWORDS.has(name) || name === "call" || name === "filter") return [this.dispatch(name)];
      this.tagStack.pop();
      pop = false;
      return this.failUnknownTag(name, tok.lineno);
    } finally {
      if (pop) this.tagStack.pop();
    }
  }

  private dispatch(name: string): Stmt {
    switch (name) {
      case "for":
        return this.parseFor();
      case "if":
        return this.parseIf();
      case "set":
        return this.parseSet();
      case "macro":
        return this.parseMacro();
      case "call":
        return this.parseCallBlock();
      case "filter":
        return this.parseFilterBlock();
      case "with":
        return this.parseWith();
      case "block":
        return this.parseBlock();
      case "print":
        return this.parsePrint();
      case "autoescape": {
        const lineno = this.next().lineno;
        const value = this.parseExpression();
        return { kind: "Autoescape", value, body: this.parseStatements(["name:endautoescape"], true), lineno };
      }
      default:
        return this.parseLoad(name as "extends" | "include" | "import" | "from");
    }
  }

  private parseStatements(endTokens: string[], dropNeedle = false): Stmt[] {
    this.skipIf("colon");
    this.expect("block_end");
    const result = this.subparse(endTokens);
    if (this.current.type === "eof") this.failEof(endTokens);
    if (dropNeedle) this.next();
    return result;
  }

  private parseFor(): Stmt {
    const { lineno } = this.expect("name:for");
    const target = this.parseAssignTarget({ extraEndRules: ["name:in"] });
    this.expect("name:in");
    const iter = this.parseTuple({ withCondexpr: false, extraEndRules: ["name:recursive"] });
    const test = this.skipIf("name:if") ? this.parseExpression() : null;
    const recursive = this.skipIf("name:recursive");
    const body = this.parseStatements(["name:endfor", "name:else"]);
    const else_ = this.next().value === "endfor" ? [] : this.parseStatements(["name:endfor"], true);
    return { kind: "For", target, iter, body, else_, test, recursive, lineno };
  }

  private parseIf(): Stmt {
    const result: IfStmt = { kind: "If", test: null as unknown as Expr, body: [], elif: [], else_: [], lineno: 0 };
    result.lineno = this.expect("name:if").lineno;
    let node = result;
    for (;;) {
      node.test = this.parseTuple({ withCondexpr: false });
      node.body = this.parseStatements(["name:elif", "name:else", "name:endif"]);
      const tok = this.next();
      if (this.test(tok, "name:elif")) {
        node = { kind: "If", test: null as unknown as Expr, body: [], elif: [], else_: [], lineno: this.current.lineno };
        result.elif.push(node);
        continue;
      }
      if (this.test(tok, "name:else")) result.else_ = this.parseStatements(["name:endif"], true);
      return result;
    }
  }

  private parseSet(): Stmt {
    const { lineno } = this.next();
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.skipIf("assign")) return { kind: "Assign", target, node: this.parseTuple(), lineno };
    const filter = this.parseFilter(null) as FilterExpr | null;
    const body = this.parseStatements(["name:endset"], true);
    return { kind: "AssignBlock", target, filter, body, lineno };
  }

  private parseWith(): Stmt {
    const { lineno } = this.next();
    const targets: Expr[] = [];
    const values: Expr[] = [];
    while (this.current.type !== "block_end") {
      if (targets.length) this.expect("comma");
      targets.push(this.parseAssignTarget());
      this.expect("assign");
      values.push(this.parseExpression());
    }
    return { kind: "With", targets, values, body: this.parseStatements(["name:endwith"], true), lineno };
  }

  private parseBlock(): Stmt {
    const { lineno } = this.next();
    const name = String(this.expect("name").value);
    this.skipIf("name:scoped");
    const required = this.skipIf("name:required");
    if (this.current.type === "sub") {
      this.fail(
        "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.",
      );
    }
    const body = this.parseStatements(["name:endblock"], true);
    if (required && body.some((n) => n.kind !== "Output" || n.nodes.some((c) => c.kind !== "TemplateData" || c.data.trim()))) {
      this.fail("Required blocks can only contain comments or whitespace");
    }
    this.skipIf(`name:${name}`);
    return { kind: "Block", name, body, lineno };
  }

  private parseLoad(tag: "extends" | "include" | "import" | "from"): Stmt {
    const { lineno } = this.next();
    const template = this.parseExpression();
    // Baryon renders single files: these tags parse as in Jinja2 and fail when run.
    while (this.current.type !== "block_end" && this.current.type !== "eof") this.next();
    return { kind: "Load", tag, template, lineno };
  }

  private parsePrint(): Stmt {
    const { lineno } = this.next();
    const nodes: Expr[] = [];
    while (this.current.type !== "block_end") {
      if (nodes.length) this.expect("comma");
      nodes.push(this.parseExpression());
    }
    return { kind: "Output", nodes, lineno };
  }

  private parseSignature(): MacroSignature {
    const sig: MacroSignature = { args: [], defaults: [] };
    this.expect("lparen");
    while (this.current.type !== "rparen") {
      if (sig.args.length) this.expect("comma");
      const arg = String(this.expect("name").value);
      if (this.skipIf("assign")) sig.defaults.push(this.parseExpression());
      else if (sig.defaults.length) this.fail("non-default argument follows default argument");
      sig.args.push(arg);
    }
    this.expect("rparen");
    return sig;
  }

  private parseMacro(): Stmt {
    const { lineno } = this.next();
    const name = String(this.expect("name").value);
    const sig = this.parseSignature();
    return { kind: "Macro", name, ...sig, body: this.parseStatements(["name:endmacro"], true), lineno };
  }

  private parseCallBlock(): Stmt {
    const { lineno } = this.next();
    const sig: MacroSignature = this.current.type === "lparen" ? this.parseSignature() : { args: [], defaults: [] };
    const call = this.parseExpression();
    if (call.kind !== "Call") this.fail("expected call", lineno);
    const body = this.parseStatements(["name:endcall"], true);
    return { kind: "CallBlock", call: call as ExprOf<"Call">, ...sig, body, lineno };
  }

  private parseFilterBlock(): Stmt {
    const { lineno } = this.next();
    const filter = this.parseFilter(null, true) as FilterExpr;
    return { kind: "FilterBlock", filter, body: this.parseStatements(["name:endfilter"], true), lineno };
  }

  private parseAssignTarget(opts: { extraEndRules?: string[]; withNamespace?: boolean } = {}): Expr {
    const target = this.parseTuple({ simplified: true, ...opts });
    const ok = (e: Expr): boolean => e.kind === "Name" || e.kind === "NSRef";
    if (target.kind === "Tuple" ? !target.items.every(ok) : !ok(target)) {
      const kind = target.kind === "Const" ? "const" : target.kind.toLowerCase();
      this.fail(`can't assign to '${kind}'`, target.lineno);
    }
    return target;
  }

  // -- error messages for unknown tags and unexpected ends

  private failUnknownTag(name: string, lineno: number): never {
    this.failUtEof(name, this.endTokenStack, lineno);
  }

  private failEof(endTokens: string[]): never {
    this.failUtEof(null, [...this.endTokenStack, endTokens], this.current.lineno);
  }

  private failUtEof(name: string | null, stack: string[][], lineno: number): never {
    const expected = new Set(stack.flat().map(describeExpr));
    const top = stack[stack.length - 1];
    const looking = top ? top.map((e) => `'${describeExpr(e)}'`).join(" or ") : null;
    const message = [name === null ? "Unexpected end of template." : `Encountered unknown tag '${name}'.`];
    if (looking) {
      if (name !== null && expected.has(name)) {
        message.push(`You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${looking}.`);
      } else message.push(`Jinja was looking for the following tags: ${looking}.`);
    }
    const inner = this.tagStack[this.tagStack.length - 1];
    if (inner !== undefined) message.push(`The innermost block that needs to be closed is '${inner}'.`);
    this.fail(message.join(" "), lineno);
  }
}
