// Jinja2's expression grammar (jinja2/parser.py), operator precedence included:
// condexpr < or < and < not < compare/in < + - < ~ < * / // % < ** < unary,
// with filters and `is` tests binding to the unary operand.
import type { CompareOp, Expr } from "./ast.js";
import { describeToken } from "./lexer.js";
import { PostfixParser } from "./parse-postfix.js";
import { mkFloat } from "./python.js";

const COMPARE_OPS = new Set(["eq", "ne", "lt", "lteq", "gt", "gteq"]);
const MATH1 = { add: "add", sub: "sub" } as const;
const MATH2 = { mul: "mul", div: "div", floordiv: "floordiv", mod: "mod" } as const;

export class ExprParser extends PostfixParser {
  // -- expressions

  parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Expr {
    let lineno = this.current.lineno;
    let expr1 = this.parseOr();
    while (this.skipIf("name:if")) {
      const test = this.parseOr();
      const expr2 = this.skipIf("name:else") ? this.parseCondexpr() : null;
      expr1 = { kind: "CondExpr", test, expr1, expr2, lineno };
      lineno = this.current.lineno;
    }
    return expr1;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.current.type === "name" && this.current.value === "or") {
      const lineno = this.next().lineno;
      left = { kind: "Or", left, right: this.parseAnd(), lineno };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.current.type === "name" && this.current.value === "and") {
      const lineno = this.next().lineno;
      left = { kind: "And", left, right: this.parseNot(), lineno };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.test(this.current, "name:not")) {
      const lineno = this.next().lineno;
      return { kind: "Not", node: this.parseNot(), lineno };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const lineno = this.current.lineno;
    const expr = this.parseMath1();
    const ops: { op: CompareOp; expr: Expr }[] = [];
    for (;;) {
      const type = this.current.type;
      if (COMPARE_OPS.has(type)) {
        this.next();
        ops.push({ op: type as CompareOp, expr: this.parseMath1() });
      } else if (this.skipIf("name:in")) {
        ops.push({ op: "in", expr: this.parseMath1() });
      } else if (this.test(this.current, "name:not") && this.test(this.look(), "name:in")) {
        this.next();
        this.next();
        ops.push({ op: "notin", expr: this.parseMath1() });
      } else break;
    }
    return ops.length ? { kind: "Compare", expr, ops, lineno } : expr;
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.current.type in MATH1) {
      const { type, lineno } = this.next();
      left = { kind: "BinOp", op: MATH1[type as keyof typeof MATH1], left, right: this.parseConcat(), lineno };
    }
    return left;
  }

  private parseConcat(): Expr {
    const lineno = this.current.lineno;
    const nodes = [this.parseMath2()];
    while (this.current.type === "tilde") {
      this.next();
      nodes.push(this.parseMath2());
    }
    return nodes.length === 1 ? (nodes[0] as Expr) : { kind: "Concat", nodes, lineno };
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.current.type in MATH2) {
      const { type, lineno } = this.next();
      left = { kind: "BinOp", op: MATH2[type as keyof typeof MATH2], left, right: this.parsePow(), lineno };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.current.type === "pow") {
      const lineno = this.next().lineno;
      left = { kind: "BinOp", op: "pow", left, right: this.parseUnary(), lineno };
    }
    return left;
  }

  private parseUnary(withFilter = true): Expr {
    const { type, lineno } = this.current;
    let node: Expr;
    if (type === "sub" || type === "add") {
      this.next();
      node = { kind: type === "sub" ? "Neg" : "Pos", node: this.parseUnary(false), lineno };
    } else node = this.parsePrimary();
    node = this.parsePostfix(node);
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  parsePrimary(withNamespace = false): Expr {
    const tok = this.current;
    const lineno = tok.lineno;
    if (tok.type === "name") {
      this.next();
      const v = tok.value;
      if (v === "true" || v === "True") return { kind: "Const", value: true, lineno };
      if (v === "false" || v === "False") return { kind: "Const", value: false, lineno };
      if (v === "none" || v === "None") return { kind: "Const", value: null, lineno };
      if (withNamespace && this.current.type === "dot") {
        this.next();
        const attr = String(this.expect("name").value);
        return { kind: "NSRef", name: String(v), attr, lineno };
      }
      return { kind: "Name", name: String(v), lineno };
    }
    if (tok.type === "string") {
      let value = String(this.next().value);
      while (this.current.type === "string") value += String(this.next().value);
      return { kind: "Const", value, lineno };
    }
    if (tok.type === "integer" || tok.type === "float") {
      this.next();
      return { kind: "Const", value: tok.type === "float" ? mkFloat(tok.value as number) : tok.value, lineno };
    }
    if (tok.type === "lparen") {
      this.next();
      const node = this.parseTuple({ explicitParentheses: true });
      this.expect("rparen");
      return node;
    }
    if (tok.type === "lbracket") return this.parseList();
    if (tok.type === "lbrace") return this.parseDict();
    return this.fail(`unexpected '${describeToken(tok)}'`);
  }

  parseTuple(
    opts: {
      simplified?: boolean;
      withCondexpr?: boolean;
      extraEndRules?: string[];
      explicitParentheses?: boolean;
      withNamespace?: boolean;
    } = {},
  ): Expr {
    let lineno = this.current.lineno;
    const parse = opts.simplified
      ? () => this.parsePrimary(opts.withNamespace)
      : () => this.parseExpression(opts.withCondexpr ?? true);
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) this.expect("comma");
      if (this.isTupleEnd(opts.extraEndRules)) break;
      items.push(parse());
      if (this.current.type !== "comma") break;
      isTuple = true;
      lineno = this.current.lineno;
    }
    if (!isTuple) {
      if (items.length) return items[0] as Expr;
      if (!opts.explicitParentheses) {
        this.fail(`Expected an expression, got '${describeToken(this.current)}'`);
      }
    }
    return { kind: "Tuple", items, lineno };
  }

  private isTupleEnd(extra?: string[]): boolean {
    const t = this.current.type;
    if (t === "variable_end" || t === "block_end" || t === "rparen") return true;
    return extra !== undefined && extra.some((e) => this.test(this.current, e));
  }

  private parseList(): Expr {
    const { lineno } = this.expect("lbracket");
    const items: Expr[] = [];
    while (this.current.type !== "rbracket") {
      if (items.length) this.expect("comma");
      if (this.current.type === "rbracket") break;
      items.push(this.parseExpression());
    }
    this.expect("rbracket");
    return { kind: "List", items, lineno };
  }

  private parseDict(): Expr {
    const { lineno } = this.expect("lbrace");
    const items: { key: Expr; value: Expr }[] = [];
    while (this.current.type !== "rbrace") {
      if (items.length) this.expect("comma");
      if (this.current.type === "rbrace") break;
      const key = this.parseExpression();
      this.expect("colon");
      items.push({ key, value: this.parseExpression() });
    }
    this.expect("rbrace");
    return { kind: "Dict", items, lineno };
  }
}
