// Python's str.format() and the format-spec mini-language
// ([[fill]align][sign][#][0][width][,|_][.precision][type]).
import { PyError, typeError, valueError } from "./errors.js";
import { formatExp, formatFixed, formatGeneral } from "./float-format.js";
import { getattr, getitem } from "./attrs.js";
import { big } from "./ints.js";
import { intStr, isFloat, isNumber, isStr, num, repr, str, strOf, typeName } from "./python.js";

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

export function strFormat(fmt: string, args: unknown[], kwargs: Map<string, unknown> | null): string {
  let auto = 0;
  let manual = false;
  const field = (name: string): unknown => {
    const m = /^([^.[]*)(.*)$/s.exec(name) as RegExpExecArray;
    const head = m[1] ?? "";
    let value: unknown;
    if (head === "") {
      if (manual) throw valueError("cannot switch from manual field specification to automatic field numbering");
      if (auto >= args.length) throw new PyError("IndexError", `Replacement index ${auto} out of range for positional args tuple`);
      value = args[auto++];
    } else if (/^\d+$/.test(head)) {
      manual = true;
      const i = Number(head);
      if (i >= args.length) throw new PyError("IndexError", `Replacement index ${i} out of range for positional args tuple`);
      value = args[i];
    } else {
      if (!kwargs?.has(head)) throw new PyError("KeyError", `'${head}'`);
      value = kwargs.get(head);
    }
    const rest = /\.([^.[]+)|\[([^\]]+)\]/gy;
    let r: RegExpExecArray | null;
    const tail = m[2] ?? "";
    while (rest.lastIndex < tail.length && (r = rest.exec(tail))) {
      if (r[1] !== undefined) value = getattr(value, r[1]);
      else value = getitem(value, /^\d+$/.test(r[2] ?? "") ? Number(r[2]) : r[2]);
    }
    return value;
  };
  let out = "";
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i] as string;
    if (c === "}") {
      if (fmt[i + 1] !== "}") throw valueError("Single '}' encountered in format string");
      out += "}";
      i += 2;
      continue;
    }
    if (c !== "{") {
      out += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    let depth = 1;
    let j = i + 1;
    while (j < fmt.length && depth > 0) {
      if (fmt[j] === "{") depth++;
      else if (fmt[j] === "}") depth--;
      j++;
    }
    if (depth > 0) throw valueError("expected '}' before end of string");
    const body = fmt.slice(i + 1, j - 1);
    const m = /^([^!:]*)(?:!(.))?(?::([\s\S]*))?$/.exec(body);
    if (!m) throw valueError("expected ':' after conversion specifier");
    let value = field(m[1] ?? "");
    if (m[2] === "r" || m[2] === "a") value = repr(value);
    else if (m[2] === "s") value = str(value);
    else if (m[2] !== undefined) throw valueError(`Unknown conversion specifier ${m[2]}`);
    const spec = (m[3] ?? "").replace(/\{([^}]*)\}/g, (_, name: string) => str(field(name)));
    out += formatValue(value, spec);
    i = j;
  }
  return out;
}

/** Python format(value, spec). */
export function formatValue(value: unknown, spec: string): string {
  if (spec === "") return str(value);
  const m = SPEC.exec(spec);
  if (!m) throw valueError("Invalid format specifier");
  const [, fillSpec, alignSpec, sign = "-", , alt, zero, widthSpec, group, precSpec, type] = m;
  const width = widthSpec ? Number(widthSpec) : 0;
  const prec = precSpec === undefined ? null : Number(precSpec);
  let fill = fillSpec ?? " ";
  let align = alignSpec;
  if (zero && align === undefined) {
    fill = "0";
    align = "=";
  }
  let body: string;
  let signStr = "";
  if (isStr(value)) {
    if (type !== undefined && type !== "s") {
      throw valueError(`Unknown format code '${type}' for object of type 'str'`);
    }
    if (align === "=") throw valueError("'=' alignment not allowed in string format specifier");
    body = prec === null ? strOf(value) : strOf(value).slice(0, prec);
    return justify(body, "", width, fill, align ?? "<");
  }
  if (!isNumber(value)) {
    throw typeError(`unsupported format string passed to ${typeName(value)}.__format__`);
  }
  const floatType = type !== undefined && "eEfFgG%".includes(type);
  let negative: boolean;
  if (!isFloat(value) && !floatType) {
    if (prec !== null) throw valueError("Precision not allowed in integer format specifier");
    const n = big(value);
    negative = n < 0n;
    const radix = type === "b" ? 2 : type === "o" ? 8 : type === "x" || type === "X" ? 16 : 10;
    if (type === "c") body = String.fromCodePoint(Number(n));
    else {
      body = radix === 10 ? intStr(negative ? -n : n) : (negative ? -n : n).toString(radix);
      if (type === "X") body = body.toUpperCase();
      if (group) body = groupDigits(body, group, radix === 10 ? 3 : 4);
      if (alt && radix !== 10) body = `0${type === "X" ? "X" : (type as string)}` + body;
    }
    if (type !== undefined && !"bcdoxXn".includes(type)) {
      throw valueError(`Unknown format code '${type}' for object of type 'int'`);
    }
  } else {
    const x = num(value);
    negative = x < 0 || Object.is(x, -0);
    const p = prec ?? 6;
    const abs = Math.abs(x);
    switch (type) {
      case "f":
      case "F":
        body = formatFixed(abs, p);
        break;
      case "e":
      case "E":
        body = formatExp(abs, p, type === "E");
        break;
      case "g":
      case "G":
        body = formatGeneral(abs, p, Boolean(alt), type === "G");
        break;
      case "%":
        body = formatFixed(abs * 100, p) + "%";
        break;
      default:
        body = prec === null ? str(isFloat(value) ? value : x).replace("-", "") : reprLike(abs, prec);
    }
    if (type === "F") body = body.toUpperCase();
    if (group) {
      const k = body.search(/[.eE%]|$/);
      body = groupDigits(body.slice(0, k), group, 3) + body.slice(k);
    }
  }
  if (negative) signStr = "-";
  else if (sign === "+" || sign === " ") signStr = sign;
  return justify(body, signStr, width, fill, align ?? ">");
}

/** Float formatting with no type but a precision: 'g' that keeps a ".0". */
function reprLike(x: number, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  const e = formatExp(x, p - 1);
  const exp = Number(e.slice(e.search(/e/) + 1));
  if (exp >= -4 && exp < p - 1) {
    const s = formatFixed(x, p - 1 - exp).replace(/(\.\d*?)0+$/, "$1");
    return s.endsWith(".") ? s + "0" : s.includes(".") ? s : s + ".0";
  }
  return formatGeneral(x, p);
}

function groupDigits(digits: string, sep: string, every: number): string {
  let out = "";
  for (let i = digits.length; i > 0; i -= every) {
    out = digits.slice(Math.max(0, i - every), i) + (out ? sep + out : "");
  }
  return out;
}

function justify(body: string, sign: string, width: number, fill: string, align: string): string {
  const padLen = width - body.length - sign.length;
  if (padLen <= 0) return sign + body;
  switch (align) {
    case "<":
      return sign + body + fill.repeat(padLen);
    case "^": {
      const l = Math.floor(padLen / 2);
      return fill.repeat(l) + sign + body + fill.repeat(padLen - l);
    }
    case "=":
      return sign + fill.repeat(padLen) + body;
    default:
      return fill.repeat(padLen) + sign + body;
  }
}
