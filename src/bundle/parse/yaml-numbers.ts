// YAML numbers as Python would see them: the YAML 1.2 core schema's int and
// float tags, changed only where a JS number would lose something (an integral
// float such as 5.0, an integer beyond 2^53). parseYaml passes these tags, then
// numberReviver turns those values back into plain numbers and records what they
// were (../exact-numbers.ts).
import { Scalar, type ScalarTag, type Tags } from "yaml";
import { recordExactNumber } from "../exact-numbers.js";

/** What an integral float is between toJS and the reviver (never seen outside this module). */
class IntegralFloat {
  constructor(readonly value: number) {}
}

/** An integral float's node. As a mapping key (toJS passes "") it is a plain number, like every number key. */
class IntegralFloatScalar extends Scalar<number> {
  override toJSON(arg?: unknown): unknown {
    return arg === "" ? this.value : new IntegralFloat(this.value);
  }
}

/** A node written as an integral float (1.0 is not 1, though toJS alone cannot tell at the top). */
export const isIntegralFloatNode = (node: unknown): boolean => node instanceof IntegralFloatScalar;

const INT = "tag:yaml.org,2002:int";
const FLOAT = "tag:yaml.org,2002:float";
const UNSAFE = BigInt(Number.MAX_SAFE_INTEGER);

let created = 0;

/** How many exact values the tags have made so far: parseYaml passes the reviver only when a parse made some. */
export const exactValuesMade = (): number => created;

function exactTag(tag: ScalarTag): ScalarTag {
  const resolve = tag.resolve;
  if (tag.tag === INT) {
    return {
      ...tag,
      resolve: (source, onError, options) => {
        const value = resolve(source, onError, { ...options, intAsBigInt: true });
        if (typeof value !== "bigint") return value;
        if (value <= UNSAFE && value >= -UNSAFE) return Number(value);
        created++;
        return value;
      },
    };
  }
  if (tag.tag === FLOAT && tag.test) {
    return {
      ...tag,
      resolve: (source, onError, options) => {
        const value = resolve(source, onError, options);
        const n = value instanceof Scalar ? (value.value as number) : (value as number);
        if (!Number.isInteger(n)) return value;
        created++;
        return new IntegralFloatScalar(n);
      },
    };
  }
  return tag;
}

/** The core schema's tags with exact numbers. */
export const exactNumberTags = (tags: Tags): Tags => tags.map((tag) => (typeof tag === "object" && !("collection" in tag && tag.collection) ? exactTag(tag as ScalarTag) : tag));

/** A toJS reviver: plain numbers in the values, the rest in the side record. */
export function numberReviver(this: unknown, key: unknown, value: unknown): unknown {
  const holder = this as object; // the object or array that holds `key`
  if (value instanceof IntegralFloat) {
    recordExactNumber(holder, key as string, "float");
    return value.value;
  }
  if (typeof value === "bigint") {
    recordExactNumber(holder, key as string, value);
    return Number(value);
  }
  return value;
}
