// The template syntax tree, mirroring jinja2.nodes for the constructs the
// default Environment understands.

export interface Pos {
  lineno: number;
}

export interface Keyword {
  key: string;
  value: Expr;
}

/** Arguments shared by calls, filters and tests. */
export interface Args {
  args: Expr[];
  kwargs: Keyword[];
  dynArgs: Expr | null;
  dynKwargs: Expr | null;
}

export type BinOpName = "add" | "sub" | "mul" | "div" | "floordiv" | "mod" | "pow";
export type CompareOp = "eq" | "ne" | "lt" | "lteq" | "gt" | "gteq" | "in" | "notin";

export type Expr =
  | (Pos & { kind: "Const"; value: unknown })
  | (Pos & { kind: "Name"; name: string })
  | (Pos & { kind: "NSRef"; name: string; attr: string })
  | (Pos & { kind: "Tuple"; items: Expr[] })
  | (Pos & { kind: "List"; items: Expr[] })
  | (Pos & { kind: "Dict"; items: { key: Expr; value: Expr }[] })
  | (Pos & { kind: "Getattr"; node: Expr; attr: string })
  | (Pos & { kind: "Getitem"; node: Expr; arg: Expr })
  | (Pos & { kind: "Slice"; start: Expr | null; stop: Expr | null; step: Expr | null })
  | (Pos & Args & { kind: "Call"; node: Expr })
  | FilterExpr
  | (Pos & Args & { kind: "Test"; node: Expr; name: string })
  | (Pos & { kind: "CondExpr"; test: Expr; expr1: Expr; expr2: Expr | null })
  | (Pos & { kind: "And" | "Or"; left: Expr; right: Expr })
  | (Pos & { kind: "Not" | "Neg" | "Pos"; node: Expr })
  | (Pos & { kind: "BinOp"; op: BinOpName; left: Expr; right: Expr })
  | (Pos & { kind: "Concat"; nodes: Expr[] })
  | (Pos & { kind: "Compare"; expr: Expr; ops: { op: CompareOp; expr: Expr }[] });

/** `node` is null for filter blocks and `{% set x | f %}`, which filter the body. */
export type FilterExpr = Pos & Args & { kind: "Filter"; node: Expr | null; name: string };

export type ExprOf<K extends Expr["kind"]> = Extract<Expr, { kind: K }>;

export interface MacroSignature {
  args: string[];
  defaults: Expr[];
}

export type Stmt =
  | (Pos & { kind: "Output"; nodes: (Expr | (Pos & { kind: "TemplateData"; data: string }))[] })
  | (Pos & {
      kind: "For";
      target: Expr;
      iter: Expr;
      body: Stmt[];
      else_: Stmt[];
      test: Expr | null;
      recursive: boolean;
    })
  | IfStmt
  | (Pos & { kind: "Assign"; target: Expr; node: Expr })
  | (Pos & { kind: "AssignBlock"; target: Expr; filter: FilterExpr | null; body: Stmt[] })
  | (Pos & MacroSignature & { kind: "Macro"; name: string; body: Stmt[] })
  | (Pos & MacroSignature & { kind: "CallBlock"; call: ExprOf<"Call">; body: Stmt[] })
  | (Pos & { kind: "FilterBlock"; filter: FilterExpr; body: Stmt[] })
  | (Pos & { kind: "With"; targets: Expr[]; values: Expr[]; body: Stmt[] })
  | (Pos & { kind: "Block"; name: string; body: Stmt[] })
  | (Pos & { kind: "Autoescape"; value: Expr; body: Stmt[] })
  | (Pos & { kind: "Load"; tag: "extends" | "include" | "import" | "from"; template: Expr });

export type IfStmt = Pos & { kind: "If"; test: Expr; body: Stmt[]; elif: IfStmt[]; else_: Stmt[] };
