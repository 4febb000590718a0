// Python's printf-style `str % args` (used by the `%` operator and the
// `format` filter): %s %r %d %i %f %e %g %x %o %c %%, flags, width,
// precision, `*`, and %(name)s with a mapping.
import { PyError, typeError, valueError } from "./errors.js";
import { formatExp, formatFixed, formatGeneral } from "./float-format.js";
import { big, truncToInt } from "./ints.js";
import { PyRange, Undefined, intStr, isFloat, isNumber, isStr, isTuple, num, repr, str, strOf, typeName } from "./python.js";

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)/y;

export function percentFormat(fmt: string, args: unknown): string {
  // Python treats any argument with __getitem__ (other than a tuple or str) as a possible mapping
  const mapping = args instanceof Map || (Array.isArray(args) && !isTuple(args)) || args instanceof Undefined || args instanceof PyRange ? args : null;
  const positional: unknown[] = isTuple(args) ? args : [args];
  let argi = 0;
  const nextArg = (): unknown => {
    if (argi >= positional.length) throw typeError("not enough arguments for format string");
    return positional[argi++];
  };
  let out = "";
  let i = 0;
  let usedMapping = false;
  while (i < fmt.length) {
    const j = fmt.indexOf("%", i);
    if (j === -1) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, j);
    SPEC.lastIndex = j;
    const m = SPEC.exec(fmt) as RegExpExecArray;
    const [whole, key, flags = "", widthSpec, precSpec, conv = ""] = m;
    if (conv === "") throw valueError("incomplete format");
    let arg: unknown;
    if (conv !== "%") {
      if (key !== undefined) {
        if (!(mapping instanceof Map)) throw typeError("format requires a mapping");
        if (!mapping.has(key)) throw new PyError("KeyError", `'${key}'`);
        arg = mapping.get(key);
        usedMapping = true;
      }
    }
    let width = widthSpec === "*" ? Number(num(nextArg())) : widthSpec ? Number(widthSpec) : 0;
    const prec = precSpec === "*" ? Number(num(nextArg())) : precSpec === undefined ? null : Number(precSpec || 0);
    let left = flags.includes("-");
    if (width < 0) {
      left = true;
      width = -width;
    }
    if (conv === "%") {
      out += "%";
    } else {
      if (key === undefined) arg = nextArg();
      out += pad(convert(conv, arg, flags, prec, j), width, left, flags.includes("0") && !left && "diouxXeEfFgG".includes(conv));
    }
    i = j + whole.length;
  }
  if (argi < positional.length && mapping === null && !usedMapping) {
    throw typeError("not all arguments converted during string formatting");
  }
  return out;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s.padEnd(width, " ");
  if (!zero) return s.padStart(width, " ");
  const sign = /^[-+ ]/.test(s) ? (s[0] as string) : "";
  const body = s.slice(sign.length);
  const prefix = /^0[xXo]/.test(body) ? body.slice(0, 2) : "";
  return sign + prefix + body.slice(prefix.length).padStart(width - sign.length - prefix.length, "0");
}

function signed(x: number | bigint, body: string, flags: string): string {
  if (x < 0 || Object.is(x, -0)) return body;
  return (flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + body;
}

function convert(conv: string, arg: unknown, flags: string, prec: number | null, at: number): string {
  switch (conv) {
    case "s": {
      const s = str(arg);
      return prec === null ? s : s.slice(0, prec);
    }
    case "r":
    case "a": {
      const s = repr(arg);
      return prec === null ? s : s.slice(0, prec);
    }
    case "d":
    case "i":
    case "u": {
      if (!isNumber(arg)) throw typeError(`%${conv} format: a real number is required, not ${typeName(arg)}`);
      const n = isFloat(arg) ? truncToInt(num(arg)) : typeof arg === "bigint" ? arg : num(arg);
      let digits = intStr(n < 0 ? -n : n);
      if (prec !== null) digits = digits.padStart(prec, "0");
      return signed(n, (n < 0 ? "-" : "") + digits, flags);
    }
    case "o":
    case "x":
    case "X": {
      if (!isNumber(arg) || isFloat(arg)) {
        throw typeError(`%${conv} format: an integer is required, not ${typeName(arg)}`);
      }
      const n = big(arg);
      let digits = (n < 0n ? -n : n).toString(conv === "o" ? 8 : 16);
      if (conv === "X") digits = digits.toUpperCase();
      if (prec !== null) digits = digits.padStart(prec, "0");
      const prefix = flags.includes("#") ? (conv === "o" ? "0o" : conv === "x" ? "0x" : "0X") : "";
      return signed(n, (n < 0n ? "-" : "") + prefix + digits, flags);
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G": {
      if (!isNumber(arg)) throw typeError(`must be real number, not ${typeName(arg)}`);
      const x = num(arg);
      const p = prec ?? 6;
      const lower = conv.toLowerCase();
      let body =
        lower === "f"
          ? formatFixed(x, p)
          : lower === "e"
            ? formatExp(x, p, conv === "E")
            : formatGeneral(x, p, flags.includes("#"), conv === "G");
      if (conv === "F") body = body.toUpperCase();
      if (flags.includes("#") && lower !== "g" && p === 0 && Number.isFinite(x)) body = body.replace(/(?=e|E|$)/, ".");
      return signed(x, body, flags);
    }
    case "c": {
      if (isStr(arg) && strOf(arg).length === 1) return strOf(arg);
      if (isNumber(arg) && !isFloat(arg)) return String.fromCodePoint(num(arg));
      throw typeError("%c requires int or char");
    }
    default: {
      const code = conv.codePointAt(0) ?? 0;
      throw valueError(`unsupported format character '${conv}' (0x${code.toString(16)}) at index ${at + 1}`);
    }
  }
}
