// Child-process entry of the render pool's V8 engine, built to
// dist/sandbox/v8-host.cjs and started by pool.ts as `v8-host.cjs <guest.js
// path> <limits JSON>` with an empty environment, Node's permission model (it
// may read those two files and nothing else; no processes, workers, addons or
// inspector) and its own V8 heap limit (see engines.ts). It runs the same guest
// as the QuickJS host, on V8, inside a SES compartment:
//   1. SES lockdown() hardens every intrinsic of this process; the guest is
//      evaluated in a Compartment that holds the ECMAScript intrinsics and
//      nothing else, so only strings cross between host and guest.
//   2. Per request (a render or a batch, see sandbox-batch.ts): a lone render
//      runs under a V8 watchdog (node:vm's timeout) set to its deadline. A
//      batch starts renders only within one deadline and runs without one: the
//      pool kills a child whose batch outlives its backstop (two deadlines and
//      a grace) and sends each render again alone. A render that finishes past
//      its deadline fails too.
//   3. The reply waits for the Promise jobs the renders queued (see below).
//   4. After a timeout, an exhausted heap or a nonsense reply, the compartment
//      is thrown away and the guest evaluated again in a fresh one, so nothing
//      of that render survives into the next. A heap that outgrows the child's
//      V8 limit ends the process; the pool names that the memory cap.
import "ses";
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { Script } from "node:vm";
import {
  type RenderItem,
  type SandboxLimits,
  POISONING_KINDS,
  OUT_OF_MEMORY,
  STACK_MESSAGE,
  SourceCache,
  holdSources,
  failure,
  memoryMessage,
  parseLimits,
  requestedRenders,
  timeoutMessage,
  parseGuestReply,
  sendToPool,
} from "./sandbox-protocol.js";
import { MAX_REPLY_CHARS, type Aftermath } from "./sandbox-batch.js";
import { GUEST_GLOBAL, GUEST_NEED_SOURCE } from "./guest-contract.js";
import type { RenderResult } from "../ports/renderer.js";

declare const lockdown: (options?: Record<string, string>) => void;
declare class Compartment {
  constructor(options: { __options__: true });
  readonly globalThis: Record<PropertyKey, unknown>;
  evaluate(code: string, options?: Record<string, unknown>): unknown;
}

type GuestRender = (name: string, key: number, source: string | null, contextJson: string, exactNumbers: boolean) => unknown;

/** What SES adds to a compartment's global object besides the ECMAScript intrinsics: a template gets none of it. */
const NOT_ECMASCRIPT = ["lockdown", "harden", "Compartment", "TextEncoder", "TextDecoder"];
/** Names a strict-mode `const` cannot bind. */
const UNBINDABLE = new Set(["eval", "arguments"]);
/** V8's errors for a single allocation it refuses: the render asked for more memory than there is. */
const ALLOCATION_REFUSED = /\b(Invalid string length|Invalid array length|Invalid typed array length|Array buffer allocation failed)\b/;
const OUT_OF_STACK = /\bMaximum call stack size exceeded\b/;
/** A timed-out render whose heap was this full was running out of memory, not time (V8 collects hard near its limit). */
const HEAP_NEARLY_FULL = 0.8;
/** The host's slot for the function the watchdog runs: node:vm runs code, not closures. */
const RUN_SLOT = "__baryonRunBatch";

/**
 * Evaluates the guest in a fresh compartment and returns its render function.
 * The compartment's globals are bound as local constants around the guest: looked
 * up through the compartment's scope proxy instead, they made renders 2–4× slower.
 */
function loadGuest(source: string): GuestRender {
  const compartment = new Compartment({ __options__: true });
  const globals = compartment.globalThis;
  for (const name of NOT_ECMASCRIPT) delete globals[name];
  const names = Reflect.ownKeys(globals).filter(
    (name): name is string => typeof name === "string" && /^[A-Za-z_$][\w$]*$/.test(name) && !UNBINDABLE.has(name),
  );
  const wrapped = `(function (globals) {\nconst { ${names.join(", ")} } = globals;\n${source}\n})(globalThis);`;
  compartment.evaluate(wrapped, { __rejectSomeDirectEvalExpressions__: false });
  // The production guest freezes its global itself (lockdown.ts); a guest that did not must not keep state there either.
  Object.freeze(globals);
  const api = globals[GUEST_GLOBAL] as { render?: unknown } | undefined;
  const render = api?.render;
  if (typeof render !== "function") throw new Error(`the guest did not define globalThis.${GUEST_GLOBAL}.render`);
  // Kept as loaded: a template that replaced __baryon.render would not change what later renders call.
  return (...args) => Reflect.apply(render, api, args) as unknown;
}

/**
 * What a guest threw, in words. A thrown object may be a Proxy or carry getters:
 * only its own `message` is read, here, where renders run (under the watchdog,
 * or in a batch the pool's backstop), and nothing the guest controls leaves
 * this function to be read elsewhere.
 */
function describeThrown(value: unknown): string {
  try {
    if ((typeof value === "object" && value !== null) || typeof value === "function") {
      const message: unknown = Reflect.getOwnPropertyDescriptor(value, "message")?.value;
      return typeof message === "string" ? message.slice(0, 500) : "an exception";
    }
    return String(value).slice(0, 500);
  } catch {
    return "an exception that could not be read";
  }
}

function heapNearlyFull(): boolean {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  return used > HEAP_NEARLY_FULL * limit;
}

/** One render that returned (did not time out): its result and whether the guest must be rebuilt. */
function renderOne(guest: GuestRender, item: RenderItem, source: string, limits: SandboxLimits): [RenderResult, Aftermath] {
  let reply: unknown;
  try {
    reply = guest(item.name, item.key, item.source, item.contextJson, item.exactNumbers === true);
    if (item.source === null && reply === GUEST_NEED_SOURCE) {
      reply = guest(item.name, item.key, source, item.contextJson, item.exactNumbers === true);
    }
  } catch (error) {
    // The guest never throws; whatever did (a RangeError of the engine, say) is named below.
    reply = JSON.stringify({ ok: false, error: { kind: "sandbox", message: `the render guest threw instead of answering: ${describeThrown(error)}` } });
  }
  const result = parseGuestReply(reply);
  if (!result) return [failure("sandbox", "the render guest returned a malformed reply"), "rebuild"];
  if (result.ok) return [result, "keep"];
  const { message } = result.error;
  if (ALLOCATION_REFUSED.test(message) || OUT_OF_MEMORY.test(message)) return [failure("memory", memoryMessage(limits.memoryLimitBytes)), "rebuild"];
  if (OUT_OF_STACK.test(message)) return [failure("memory", STACK_MESSAGE), "rebuild"];
  return [result, POISONING_KINDS.has(result.error.kind) ? "rebuild" : "keep"];
}

interface Progress {
  results: RenderResult[];
  aftermath: Aftermath;
  /** performance.now() when the render in progress started. */
  startedAt: number;
}

/**
 * Renders `items` in order until done, the batch has run one deadline, or the
 * reply has grown past MAX_REPLY_CHARS. Writes into `progress` as it goes: a
 * watchdog that cuts the batch short leaves in it what was finished.
 */
function renderBatch(guestSource: string, state: { guest?: GuestRender }, items: readonly RenderItem[], held: readonly (string | undefined)[], limits: SandboxLimits, progress: Progress): void {
  const batchStart = performance.now();
  let replyChars = 0;
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && (performance.now() - batchStart >= limits.deadlineMs || replyChars >= MAX_REPLY_CHARS)) return;
    const source = held[i];
    if (source === undefined) {
      progress.results.push(failure("sandbox", "the render sandbox lost the template source"));
      progress.aftermath = "exit";
      return;
    }
    if (progress.aftermath === "rebuild" || !state.guest) {
      state.guest = undefined;
      state.guest = loadGuest(guestSource);
      progress.aftermath = "keep";
    }
    progress.startedAt = performance.now();
    let [result, aftermath] = renderOne(state.guest, items[i]!, source, limits);
    if (performance.now() - progress.startedAt > limits.deadlineMs) [result, aftermath] = [failure("timeout", timeoutMessage(limits.deadlineMs)), "rebuild"];
    progress.results.push(result);
    progress.aftermath = aftermath;
    replyChars += result.ok ? result.output.length : result.error.message.length;
  }
}

function main(): void {
  const guestPath = process.argv[2];
  const limits = parseLimits(process.argv[3]);
  if (!guestPath || !limits) {
    sendToPool({ type: "failed", message: "usage: v8-host.cjs <guest.js path> <limits JSON>" }, () => process.exit(1));
    return;
  }
  const state: { guest?: GuestRender } = {};
  let guestSource: string;
  try {
    guestSource = readFileSync(guestPath, "utf8");
    // Options: errors keep their stacks out of the guest's reach ("safe"); assignments
    // that shadow an inherited property work on instances, as lockdown.ts allows in QuickJS.
    lockdown({ errorTaming: "safe", overrideTaming: "severe", consoleTaming: "unsafe", reporting: "none" });
    state.guest = loadGuest(guestSource);
  } catch (error) {
    sendToPool({ type: "failed", message: String(error) }, () => process.exit(1));
    return;
  }

  const sources = new SourceCache<number, string>();
  const watchdog = new Script(`globalThis.${RUN_SLOT}()`, { filename: "render-watchdog" });
  process.on("disconnect", () => process.exit(0));
  process.on("message", (message: unknown) => {
    const request = requestedRenders(message);
    if (!request) process.exit(1); // only the pool talks to us; anything else is a bug
    const held = holdSources(sources, request.renders);
    const progress: Progress = { results: [], aftermath: "keep", startedAt: performance.now() };
    const run = (): void => renderBatch(guestSource, state, request.renders, held, limits, progress);
    try {
      // Evaluating the guest is our own work, not the template's: not against its deadline.
      state.guest ??= loadGuest(guestSource);
      if (request.renders.length === 1) {
        // A lone render runs under the watchdog, cut at its deadline.
        Object.defineProperty(globalThis, RUN_SLOT, { value: run, configurable: true });
        watchdog.runInThisContext({ timeout: limits.deadlineMs });
      } else {
        // A batch does not: node:vm starts a watchdog thread per call (about 240 µs, far more on a
        // busy machine), the cost of several renders. A batch that never ends is killed by the
        // pool's backstop, which then sends each render again alone, under the watchdog.
        run();
      }
    } catch (error) {
      // Cut short mid-render: that render ran past its deadline (or was running out of heap).
      const code = (error as { code?: unknown } | null)?.code;
      if (code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        progress.results.push(failure("sandbox", `the render sandbox failed: ${String(error)}`));
        progress.aftermath = "exit";
      } else {
        const kind = heapNearlyFull() ? failure("memory", memoryMessage(limits.memoryLimitBytes)) : failure("timeout", timeoutMessage(limits.deadlineMs));
        progress.results.push(kind);
        progress.aftermath = "rebuild";
      }
    }
    const { results, aftermath } = progress;
    if (aftermath === "rebuild") state.guest = undefined; // rebuilt before the next render, after this reply
    // Promise jobs a render queued run when this handler returns, outside the
    // watchdog, so the reply waits for them. A lone render whose jobs take it
    // past its deadline fails as a timeout. A batch's jobs cannot be blamed on one
    // render: if they run a deadline, the child exits unanswered and the pool
    // sends each render again alone (as it does when jobs never end and its
    // backstop kills the child).
    const jobsStart = performance.now();
    setImmediate(() => {
      const lone = request.renders.length === 1;
      if (performance.now() - (lone ? progress.startedAt : jobsStart) > limits.deadlineMs) {
        if (!lone) process.exit(1);
        results.splice(0, results.length, failure("timeout", timeoutMessage(limits.deadlineMs)));
        state.guest = undefined;
      }
      sendToPool({ type: "results", id: request.id, results, retiring: aftermath === "exit" }, (error) => {
        if (error || aftermath === "exit") process.exit(1);
      });
    });
  });
  sendToPool({ type: "ready" });
}

main();
