// Jinja2's `urlize` filter (jinja2.utils.urlize with the default policies:
// rel="noopener", no target, no extra schemes).
import { TemplateRuntimeError } from "./errors.js";
import { escapeText } from "./ops.js";
import { iterate, num, repr, str, truthy } from "./python.js";

const HTTP = new RegExp(
  "^(" +
    "(https?://|www\\.)(([\\p{L}\\p{N}_%-]+\\.)+)?([a-z]{2,63}|xn--[\\p{L}\\p{N}_%]{2,59})" +
    "|([\\p{L}\\p{N}_%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)" +
    "|(https?://)((\\d{1,3})(\\.\\d{1,3}){3}|\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\])" +
    ")(?::\\d{1,5})?(?:[/?#]\\S*)?$",
  "iu",
);
const EMAIL = /^\S+@[\p{L}\p{N}_][\p{L}\p{N}_.-]*\.[\p{L}\p{N}_]+$/u;
const URI_SCHEME = /^([\p{L}\p{N}_.+-]{2,}:(\/){0,2})$/u;
const LEAD = /^([(<]|&lt;)+/;
const TRAIL = /([)>.,\n]|&gt;)+$/;

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

export function urlize(
  value: unknown,
  trimUrlLimit: unknown,
  nofollow: unknown,
  target: unknown,
  rel: unknown,
  extraSchemes: unknown,
): string {
  const relParts = new Set(rel === null ? [] : str(rel).split(/\s+/).filter((p) => p));
  if (truthy(nofollow)) relParts.add("nofollow");
  relParts.add("noopener");
  const relValue = Array.from(relParts).sort().join(" ");
  const schemes = extraSchemes === null ? null : iterate(extraSchemes).map(str);
  for (const scheme of schemes ?? []) {
    if (!URI_SCHEME.test(scheme)) throw new TemplateRuntimeError(`${repr(scheme)} is not a valid URI scheme prefix.`);
  }
  const limit = trimUrlLimit === null ? null : num(trimUrlLimit);
  const trim = (x: string): string => (limit !== null && Array.from(x).length > limit ? Array.from(x).slice(0, limit).join("") + "..." : x);
  const relAttr = relValue ? ` rel="${escapeText(relValue)}"` : "";
  const targetAttr = target !== null && truthy(target) ? ` target="${escapeText(target)}"` : "";
  const words = escapeText(value).split(/(\s+)/);
  for (let i = 0; i < words.length; i++) {
    let head = "";
    let middle = words[i] as string;
    let tail = "";
    const lead = LEAD.exec(middle);
    if (lead) {
      head = lead[0];
      middle = middle.slice(lead[0].length);
    }
    if ([")", ">", ".", ",", "\n", "&gt;"].some((e) => middle.endsWith(e))) {
      const m = TRAIL.exec(middle);
      if (m) {
        tail = m[0];
        middle = middle.slice(0, m.index);
      }
    }
    for (const [start, end] of [["(", ")"], ["<", ">"], ["&lt;", "&gt;"]] as const) {
      const starts = count(middle, start);
      if (starts <= count(middle, end)) continue;
      for (let k = Math.min(starts, count(tail, end)); k > 0; k--) {
        const endIndex = tail.indexOf(end) + end.length;
        middle += tail.slice(0, endIndex);
        tail = tail.slice(endIndex);
      }
    }
    if (HTTP.test(middle)) {
      const href = middle.startsWith("https://") || middle.startsWith("http://") ? middle : `https://${middle}`;
      middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
    } else if (middle.startsWith("mailto:") && EMAIL.test(middle.slice(7))) {
      middle = `<a href="${middle}">${middle.slice(7)}</a>`;
    } else if (middle.includes("@") && !middle.startsWith("www.") && !middle.startsWith("@") && !middle.includes(":") && EMAIL.test(middle)) {
      middle = `<a href="mailto:${middle}">${middle}</a>`;
    } else if (schemes !== null) {
      for (const scheme of schemes) {
        if (middle !== scheme && middle.startsWith(scheme)) middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
      }
    }
    words[i] = head + middle + tail;
  }
  return words.join("");
}
