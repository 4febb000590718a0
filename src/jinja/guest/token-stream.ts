// The parser's view of the tokens, after jinja2.lexer.TokenStream: one token
// of lookahead, `name:value` token tests, and Jinja2's "expected token" errors.
import { TemplateSyntaxError } from "./errors.js";
import { describeExpr, describeToken, type Token } from "./lexer.js";

export class TokenStream {
  private i = 0;

  constructor(private readonly tokens: Token[]) {
    this.check(this.tokens[0]);
  }

  get current(): Token {
    return this.tokens[this.i] as Token;
  }

  protected look(): Token {
    const t = this.tokens[this.i + 1] ?? this.current;
    this.check(t);
    return t;
  }

  protected next(): Token {
    const t = this.current;
    if (this.i < this.tokens.length - 1) this.i++;
    this.check(this.current);
    return t;
  }

  private check(t: Token | undefined): void {
    if (t?.type === "error") throw (t as Token & { error: Error }).error;
  }

  protected test(tok: Token, expr: string): boolean {
    if (tok.type === expr) return true;
    const i = expr.indexOf(":");
    return i !== -1 && tok.type === expr.slice(0, i) && tok.value === expr.slice(i + 1);
  }

  protected skipIf(expr: string): boolean {
    if (!this.test(this.current, expr)) return false;
    this.next();
    return true;
  }

  protected expect(expr: string): Token {
    if (!this.test(this.current, expr)) {
      const what = describeExpr(expr);
      if (this.current.type === "eof") {
        this.fail(`unexpected end of template, expected '${what}'.`);
      }
      this.fail(`expected token '${what}', got '${describeToken(this.current)}'`);
    }
    return this.next();
  }

  fail(msg: string, lineno = this.current.lineno): never {
    throw new TemplateSyntaxError(msg, lineno);
  }
}
