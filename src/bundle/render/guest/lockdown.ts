// Runs inside QuickJS, never in Node. One QuickJS context serves many renders of
// many templates, so a hostile template must not be able to change what later
// renders see. The guest calls lockdown() once, after nunjucks and
// globalThis.__baryon are set up and before the first render:
//   1. tame the code-evaluating constructors reachable as `fn.constructor` (the
//      door from template expressions into arbitrary JavaScript) and remove
//      the legacy __defineGetter__ family (a door to raw functions and to
//      redefining properties without JavaScript);
//   2. turn inherited data properties that code assigns on instances into
//      accessors, so `obj.toString = …` or `this.length = …` still works once
//      prototypes are frozen (the "override mistake");
//   3. deep-freeze every global (the intrinsics), the hidden intrinsics and the
//      guest's own objects passed in `guestRoots`;
//   4. pin __baryon (frozen, non-writable, non-configurable) and freeze globalThis.

const API = "__baryon"; // GUEST_GLOBAL in ../types.ts, kept literal so the guest bundle stays self-contained.

type Obj = object;

/**
 * Hardens the realm; a second call does nothing. `guestRoots` are the guest's
 * own objects a template can reach and nunjucks does not mutate while
 * rendering: see nunjucksRoots(). They are deep-frozen like the intrinsics.
 */
export function lockdown(guestRoots: readonly Obj[] = []): void {
  if (Object.isFrozen(globalThis)) return;
  const api = (globalThis as unknown as Record<PropertyKey, unknown>)[API];
  if (typeof api !== "object" || api === null) {
    throw new TypeError(`lockdown: globalThis.${API} must be set up first`);
  }
  const proto = (value: unknown): Obj => Object.getPrototypeOf(value) as Obj;
  const functionPrototypes = [
    Function.prototype,
    proto(function* () {}),
    proto(async function () {}),
    proto(async function* () {}),
  ];
  // Intrinsics that no global names, reached through syntax or iterators.
  const iteratorPrototypes = [
    proto(proto([][Symbol.iterator]())), // %IteratorPrototype%
    proto([][Symbol.iterator]()),
    proto(""[Symbol.iterator]()),
    proto(new Map().entries()),
    proto(new Set().values()),
    proto(/x/[Symbol.matchAll]("")),
  ];

  tameConstructors(functionPrototypes);
  for (const key of ["__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"]) {
    delete (Object.prototype as Record<string, unknown>)[key];
  }

  const roots: unknown[] = [...functionPrototypes, ...iteratorPrototypes, proto(Int8Array) /* %TypedArray% */, ...guestRoots];
  for (const key of Reflect.ownKeys(globalThis)) {
    const desc = Reflect.getOwnPropertyDescriptor(globalThis, key);
    if (desc) roots.push(desc.value, desc.get, desc.set);
  }
  // globalThis (reachable as globalThis.globalThis) and __baryon are frozen
  // shallowly below: what __baryon's functions close over (nunjucks' caches)
  // legitimately changes per render.
  const skip = [globalThis, api];
  const hiddenValues = enableOverrides(reachable(roots, skip), iteratorPrototypes);
  for (const value of reachable([...roots, ...hiddenValues], skip)) Object.freeze(value);

  for (const key of Reflect.ownKeys(api)) {
    const value = Reflect.getOwnPropertyDescriptor(api, key)?.value as unknown;
    if (typeof value === "function") Object.freeze(value);
  }
  Object.freeze(api);
  Object.defineProperty(globalThis, API, { value: api, writable: false, configurable: false, enumerable: false });
  Object.freeze(globalThis);
}

/**
 * The nunjucks objects a template can reach, for
 * `lockdown(nunjucksRoots(nunjucks, env))`: the module (class prototypes such as
 * SafeString's and Frame's), the Environment (filters, globals, tests: reachable
 * as `this.env` of the Context that nunjucks passes as `this` to any function a
 * template calls), and the Context prototype, which nunjucks does not export,
 * captured by a probe render.
 */
export function nunjucksRoots(nunjucks: NunjucksLike, env: EnvironmentLike): Obj[] {
  let contextPrototype: Obj | undefined;
  const probe = "__baryonLockdownProbe";
  env.addGlobal(probe, function (this: unknown) {
    contextPrototype = Object.getPrototypeOf(this) as Obj;
    return "";
  });
  try {
    new nunjucks.Template(`{{ ${probe}() }}`, env, "lockdown-probe", true).render({});
  } finally {
    delete env.globals[probe];
  }
  if (!contextPrototype || contextPrototype === Object.prototype) {
    throw new TypeError("lockdown: could not find nunjucks' Context prototype");
  }
  return [nunjucks, env, contextPrototype];
}

interface NunjucksLike {
  Template: new (source: string, env: EnvironmentLike, path: string, eager: boolean) => { render(ctx: object): string };
}
interface EnvironmentLike {
  addGlobal(name: string, value: unknown): unknown;
  globals: Record<string, unknown>;
}

/**
 * Replaces `constructor` on Function.prototype and the generator/async function
 * prototypes with a thrower. nunjucks compiles through the global binding
 * (`new Function(source)`), which templates cannot name, so it keeps working.
 */
function tameConstructors(functionPrototypes: readonly Obj[]): void {
  for (const prototype of functionPrototypes) {
    const tamed = function constructor(): never {
      throw new TypeError("code generation from strings is not allowed in templates");
    };
    Object.defineProperty(tamed, "prototype", { value: prototype, writable: false });
    Object.defineProperty(prototype, "constructor", { value: tamed, writable: false, configurable: false });
  }
}

/**
 * Once a prototype is frozen, `obj.x = v` on an instance that inherits `x`
 * throws (strict) or is ignored (sloppy). For the properties code commonly
 * shadows this way, an accessor restores the old behaviour: the assignment
 * defines an own property on the instance; on the prototype itself it throws.
 * Covered: a list of intrinsic methods, and every writable non-function data
 * property of any prototype (SafeString.prototype.length, EventEmitter's
 * _events…). Returns the replaced values, which no property reaches any more.
 */
function enableOverrides(objects: Iterable<Obj>, iteratorPrototypes: readonly Obj[]): unknown[] {
  const errors: { prototype: Obj }[] = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];
  if (typeof AggregateError === "function") errors.push(AggregateError);
  const objectKeys = ["constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"];
  const plan: [Obj, PropertyKey[]][] = [
    [Object.prototype, objectKeys],
    [Function.prototype, ["toString", "call", "apply", "bind"]],
    [Array.prototype, ["constructor", "toString", "push", "join"]],
    [String.prototype, ["toString", "valueOf"]],
    [Promise.prototype, ["constructor", "then"]],
    ...errors.map(({ prototype }): [Obj, PropertyKey[]] => [prototype, ["constructor", "name", "message", "toString"]]),
    ...iteratorPrototypes.map((p): [Obj, PropertyKey[]] => [p, [Symbol.iterator, "next"]]),
  ];
  const replaced: unknown[] = [];
  for (const [prototype, keys] of plan) {
    for (const key of keys) replaced.push(enableOverride(prototype, key));
  }
  for (const object of prototypesAmong(objects)) {
    for (const key of Reflect.ownKeys(object)) {
      const desc = Reflect.getOwnPropertyDescriptor(object, key);
      if (desc && "value" in desc && typeof desc.value !== "function") replaced.push(enableOverride(object, key));
    }
  }
  return replaced;
}

/** The objects that serve as a prototype: some function's `.prototype`, or some object's [[Prototype]]. */
function prototypesAmong(objects: Iterable<Obj>): Set<Obj> {
  const prototypes = new Set<Obj>();
  for (const object of objects) {
    const parent = Object.getPrototypeOf(object) as Obj | null;
    if (parent) prototypes.add(parent);
    const desc = typeof object === "function" ? Reflect.getOwnPropertyDescriptor(object, "prototype") : undefined;
    const value: unknown = desc && "value" in desc ? desc.value : undefined;
    if ((typeof value === "object" || typeof value === "function") && value !== null) prototypes.add(value);
  }
  return prototypes;
}

function enableOverride(prototype: Obj, key: PropertyKey): unknown {
  const desc = Reflect.getOwnPropertyDescriptor(prototype, key);
  if (!desc || !("value" in desc) || !desc.writable || !desc.configurable) return undefined;
  const value: unknown = desc.value;
  // Method shorthand: the accessors get no .prototype object of their own.
  const accessors = {
    get(): unknown {
      return value;
    },
    set(this: unknown, next: unknown): void {
      if (this === prototype || (typeof this !== "object" && typeof this !== "function") || this === null) {
        throw new TypeError(`Cannot assign to read only property '${String(key)}' of a frozen prototype`);
      }
      if (Object.prototype.hasOwnProperty.call(this, key)) {
        (this as Record<PropertyKey, unknown>)[key] = next;
      } else {
        Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      }
    },
  };
  Object.defineProperty(prototype, key, { ...accessors, enumerable: desc.enumerable === true, configurable: false });
  return value;
}

/** Every object reachable from `roots` through properties, accessors and prototypes, not entering `skip`. */
function reachable(roots: readonly unknown[], skip: readonly Obj[]): Set<Obj> {
  const seen = new Set<Obj>();
  const stack = [...roots];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    if (seen.has(value) || skip.includes(value)) continue;
    seen.add(value);
    stack.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const desc = Reflect.getOwnPropertyDescriptor(value, key);
      if (desc) stack.push(desc.value, desc.get, desc.set);
    }
  }
  return seen;
}
