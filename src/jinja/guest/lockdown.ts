// Runs inside QuickJS, never in Node. One QuickJS context serves many renders of
// many templates, so a hostile template must not be able to change what later
// renders see. The guest calls lockdown() once, after its engine and
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

/** Taken before lockdown() guards Object.defineProperty against the global object (guardGlobalObject). */
const defineProperty = Object.defineProperty;

/**
 * Hardens the realm; a second call does nothing. `guestRoots` are the guest's
 * own objects that a template can reach and that rendering never mutates: the
 * engine's module objects and registries, the prototypes of its runtime
 * classes. They are deep-frozen like the intrinsics. Object.freeze does not
 * reach the entries of a Map or Set: keep mutable registries out of reach.
 */
export function lockdown(guestRoots: readonly Obj[] = []): void {
  if (Object.isFrozen(globalThis)) return;
  const api = (globalThis as unknown as Record<PropertyKey, unknown>)[API];
  if (typeof api !== "object" || api === null) {
    throw new TypeError(`lockdown: globalThis.${API} must be set up first`);
  }
  // SES has hardened the realm already (the V8 engine): only the guest's own part is left.
  if (Object.isFrozen(Object.prototype)) return hardenGuest(api, guestRoots);
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
  guardGlobalObject();
  for (const key of ["__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"]) {
    delete (Object.prototype as Record<string, unknown>)[key];
  }

  const roots: unknown[] = [...functionPrototypes, ...iteratorPrototypes, proto(Int8Array) /* %TypedArray% */, ...guestRoots];
  for (const key of Reflect.ownKeys(globalThis)) {
    const desc = Reflect.getOwnPropertyDescriptor(globalThis, key);
    if (desc) roots.push(desc.value, desc.get, desc.set);
  }
  // globalThis (reachable as globalThis.globalThis) and __baryon are frozen
  // shallowly below: what __baryon's functions close over (the template
  // cache) legitimately changes per render.
  const skip = [globalThis, api];
  const hiddenValues = enableOverrides(reachable(roots, skip), iteratorPrototypes);
  hardenGuest(api, [...roots, ...hiddenValues]);
}

/** Deep-freezes `roots` (short of globalThis and __baryon), then pins __baryon and freezes globalThis. */
function hardenGuest(api: object, roots: readonly unknown[]): void {
  for (const value of reachable(roots, [globalThis, api])) Object.freeze(value);
  for (const key of Reflect.ownKeys(api)) {
    const value = Reflect.getOwnPropertyDescriptor(api, key)?.value as unknown;
    if (typeof value === "function") Object.freeze(value);
  }
  Object.freeze(api);
  defineProperty(globalThis, API, { value: api, writable: false, configurable: false, enumerable: false });
  Object.freeze(globalThis);
}

/**
 * Replaces `constructor` on Function.prototype and the generator/async function
 * prototypes with a thrower. A guest that compiles templates to JavaScript
 * keeps the real Function through the global binding or a reference taken
 * before lockdown, neither of which a template can name.
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
 * QuickJS 2025-09-13 lets [[DefineOwnProperty]] replace the value of a
 * non-writable, non-configurable property of the global object, so even a
 * frozen globalThis could have JSON or Array swapped under the engine by
 * Object.defineProperty. Refuse the global object (directly or behind a Proxy)
 * as a target of everything that reaches [[DefineOwnProperty]] by key.
 */
function guardGlobalObject(): void {
  const refuse = (target: unknown): void => {
    if (target === globalThis) throw new TypeError("the global object is frozen");
  };
  const { defineProperty, defineProperties } = Object;
  const reflectDefine = Reflect.defineProperty;
  const RealProxy = Proxy;
  const replace = (object: Obj, key: string, value: unknown): void => {
    defineProperty(object, key, { value, writable: true, enumerable: false, configurable: true });
  };
  replace(Object, "defineProperty", function defineProperty_(o: object, key: PropertyKey, desc: PropertyDescriptor) {
    refuse(o);
    return defineProperty(o, key, desc);
  });
  replace(Object, "defineProperties", function defineProperties_(o: object, props: PropertyDescriptorMap) {
    refuse(o);
    return defineProperties(o, props);
  });
  replace(Reflect, "defineProperty", function defineProperty_(o: object, key: PropertyKey, desc: PropertyDescriptor) {
    refuse(o);
    return reflectDefine(o, key, desc);
  });
  const GuardedProxy = function Proxy(this: unknown, target: object, handler: ProxyHandler<object>): object {
    if (new.target === undefined) throw new TypeError("Constructor Proxy requires 'new'");
    refuse(target);
    return new RealProxy(target, handler);
  };
  replace(GuardedProxy, "revocable", function revocable(target: object, handler: ProxyHandler<object>) {
    refuse(target);
    return RealProxy.revocable(target, handler);
  });
  replace(globalThis, "Proxy", GuardedProxy);
}

/**
 * Once a prototype is frozen, `obj.x = v` on an instance that inherits `x`
 * throws (strict) or is ignored (sloppy). For the properties code commonly
 * shadows this way, an accessor restores the old behaviour: the assignment
 * defines an own property on the instance; on the prototype itself it throws.
 * Covered: a list of intrinsic methods, and every writable non-function data
 * property of any prototype (class defaults such as a `length` or `_events`
 * that constructors overwrite). Returns the replaced values, which no property
 * reaches any more.
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
