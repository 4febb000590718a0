// Where a JSON text goes wrong. JSON.parse's messages carry no position for
// most mistakes (Node 20), so a small strict scanner finds the first bad offset.

export interface JsonError {
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

/** The first syntax error of `text` as strict JSON, or undefined when it is valid. */
export function findJsonError(text: string): JsonError | undefined {
  let at = 0;
  const fail = (message: string): never => {
    throw new JsonSyntax(at, message);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const expect = (char: string, what: string) => {
    space();
    if (text[at] !== char) fail(`expected ${what}, found ${describe(text, at)}`);
    at++;
  };
  const string = () => {
    expect('"', "a string");
    while (text[at] !== '"') {
      if (at >= text.length || text[at] === "\n") fail("unterminated string");
      if (text[at]! < " ") fail("control character in a string; escape it (\\n, \\t, ...)");
      if (text[at] === "\\") {
        at++;
        if (text[at] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) at += 4;
        else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) fail("invalid escape in a string");
      }
      at++;
    }
    at++;
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail("nested too deeply");
    space();
    const c = text[at];
    if (c === "{") {
      at++;
      space();
      if (text[at] === "}") return void at++;
      for (;;) {
        string();
        expect(":", '":"');
        value(depth + 1);
        space();
        if (text[at] === "}") return void at++;
        expect(",", '"," or "}"');
      }
    }
    if (c === "[") {
      at++;
      space();
      if (text[at] === "]") return void at++;
      for (;;) {
        value(depth + 1);
        space();
        if (text[at] === "]") return void at++;
        expect(",", '"," or "]"');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 400));
    if (!literal) fail(`expected a value, found ${describe(text, at)}`);
    at += literal![0].length;
  };
  try {
    value(0);
    space();
    if (at < text.length) fail(`unexpected ${describe(text, at)} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    const before = text.slice(0, e.offset).split("\n");
    return { line: before.length, column: before[before.length - 1]!.length + 1, message: e.message };
  }
}

class JsonSyntax extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
    this.name = "JsonSyntax";
  }
}

function describe(text: string, at: number): string {
  return at >= text.length ? "the end of the file" : JSON.stringify(text[at]);
}
