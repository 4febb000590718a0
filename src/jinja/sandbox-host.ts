// Child-process entry of the render pool, built to dist/sandbox/host.js and
// started by pool.ts as `host.js <guest.js path> <limits JSON>` with an empty
// environment. It owns one QuickJS runtime holding the guest (the Jinja engine) and
// serves one request at a time over IPC: a render or a batch of them, answered
// in one reply (see sandbox-batch.ts). Only strings cross into QuickJS: the
// guest is never given a host function or object.
//   1. Load QuickJS and evaluate the guest once; tell the parent "ready".
//   2. Per request: remember the template sources it carries, render by render
//      (later renders name a source by key only, see RenderRequestMessage).
//      Then per render: arm its deadline, call __baryon.render(name, key, source,
//      contextJson, exactNumbers) (again with the source if the guest asks for
//      it), check its reply. Reply once for the whole request.
//   3. After a timeout, out-of-memory or nonsense reply, dispose the runtime and
//      build a fresh one before the next render (or after replying, if it was
//      the last), so nothing of that render survives into the next.
//      Memory runs out in the guest or in the host's own copies of the request
//      and the reply; either way the render is named for the memory cap.
//   4. If the engine itself fails (a WebAssembly trap, e.g. the native stack ran
//      out), its memory can no longer be trusted: reply for the renders done so
//      far, then exit; the pool sends the rest of the batch to a replacement.
import { readFileSync } from "node:fs";
import {
  QuickJSWASMModule,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type CustomizeVariantOptions,
  type QuickJSContext,
  type QuickJSSyncVariant,
  type QuickJSHandle,
  type QuickJSRuntime,
} from "quickjs-emscripten-core";
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
import { type Aftermath, runBatch } from "./sandbox-batch.js";
import { GUEST_GLOBAL, GUEST_NEED_SOURCE } from "./guest-contract.js";
import { type RenderResult } from "../ports/renderer.js";

/**
 * QuickJS's own recursion limit. It turns most runaway recursion into a
 * catchable "stack overflow" error; larger values let some recursion exhaust
 * V8's native stack first, which traps the whole WebAssembly instance.
 */
const MAX_STACK_BYTES = 256 * 1024;
/** Engine memory outside the QuickJS heap: static data, the C stack, allocator slack. */
const ENGINE_OVERHEAD_BYTES = 16 * 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;
/** Evaluating the guest is our own code, but a broken build must not hang startup. */
const GUEST_LOAD_MS = 10_000;
const OUT_OF_STACK = /\bstack overflow\b/i;

interface Guest {
  heap: Heap;
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  api: QuickJSHandle;
  render: QuickJSHandle;
}

/** The engine's allocator, asked before the host copies anything into or out of the engine's memory. */
interface Heap {
  /** Whether `bytes` can be allocated there right now. */
  fits(bytes: number): boolean;
}

/**
 * quickjs-emscripten copies a string into the engine with an unchecked malloc: when
 * the heap is full, the copy lands at address 0, over QuickJS's own static data.
 * The module's allocator is a protected field; this subclass only reads it.
 */
class HeapAccess extends QuickJSWASMModule {
  static of(module: QuickJSWASMModule): Heap {
    const emscripten = (module as HeapAccess).module;
    if (typeof emscripten?._malloc !== "function") throw new Error("the QuickJS module has no allocator to check the heap with");
    return {
      fits(bytes) {
        const pointer = emscripten._malloc(bytes);
        if (pointer === 0) return false;
        emscripten._free(pointer);
        return true;
      },
    };
  }
}

/**
 * Compiles QuickJS with its memory capped. runtime.setMemoryLimit alone does not
 * cap anything under Emscripten: QuickJS cannot learn block sizes there, so the
 * limit only refuses single allocations above it, and a loop of small ones
 * grows without bound (justjake/quickjs-emscripten#271). A WebAssembly memory
 * that cannot grow past the limit is the real cap: malloc fails and QuickJS
 * throws its ordinary "out of memory".
 */
async function loadEngine(limits: SandboxLimits): Promise<QuickJSWASMModule> {
  const maximum = Math.ceil((limits.memoryLimitBytes + ENGINE_OVERHEAD_BYTES) / WASM_PAGE_BYTES);
  const wasmMemory = new WasmMemory({ initial: Math.min(256, maximum), maximum });
  return newQuickJSWASMModuleFromVariant(newVariant(await importVariant(), { wasmMemory }));
}

// Our compiler settings (no DOM lib) declare no WebAssembly global; Node has it.
type WasmMemory = NonNullable<CustomizeVariantOptions["wasmMemory"]>;
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory } })
  .WebAssembly.Memory;

/** The package's CJS typings put the variant one `default` deeper than its ESM build does; accept either. */
async function importVariant(): Promise<QuickJSSyncVariant> {
  let value: unknown = await import("@jitl/quickjs-wasmfile-release-sync");
  while (typeof value === "object" && value !== null && (value as { type?: unknown }).type !== "sync") {
    value = (value as { default?: unknown }).default;
  }
  if (!value) throw new Error("could not load the QuickJS WebAssembly variant");
  return value as QuickJSSyncVariant;
}

function loadGuest(module: QuickJSWASMModule, source: string, limits: SandboxLimits): Guest {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryLimitBytes);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  const context = runtime.newContext();
  const deadline = Date.now() + GUEST_LOAD_MS;
  runtime.setInterruptHandler(() => Date.now() > deadline);
  try {
    context.unwrapResult(context.evalCode(source, "guest.js", { type: "global" })).dispose();
    // Keep handles to the functions as loaded: even if a template could replace
    // __baryon.render, later renders would still call the original.
    const api = context.getProp(context.global, GUEST_GLOBAL);
    const render = context.getProp(api, "render");
    if (context.typeof(render) !== "function") {
      render.dispose();
      api.dispose();
      throw new Error(`the guest did not define globalThis.${GUEST_GLOBAL}.render`);
    }
    return { heap: HeapAccess.of(module), runtime, context, api, render };
  } catch (error) {
    context.dispose();
    runtime.dispose();
    throw error;
  } finally {
    if (runtime.alive) runtime.removeInterruptHandler();
  }
}

function disposeGuest(guest: Guest): void {
  guest.render.dispose();
  guest.api.dispose();
  guest.context.dispose();
  guest.runtime.dispose();
}

/**
 * Renders `request`, whose template source is `source` (from the request or
 * this child's cache). The guest is first given the source only if the request
 * carried it (a source new to this child is new to its guest too); otherwise
 * the key alone, and the source on a second call if the guest asks for it.
 */
function render(guest: Guest, request: RenderItem, source: string, limits: SandboxLimits): [RenderResult, Aftermath] {
  const { runtime } = guest;
  let interrupted = false;
  const deadline = Date.now() + limits.deadlineMs;
  runtime.setInterruptHandler(() => (interrupted ||= Date.now() > deadline));
  try {
    let answer = callGuest(guest, request, request.source);
    if (request.source === null && "reply" in answer && answer.reply === GUEST_NEED_SOURCE) {
      answer = callGuest(guest, request, source);
    }
    if ("exhausted" in answer) return [failure("memory", memoryMessage(limits.memoryLimitBytes)), "rebuild"];
    if ("thrown" in answer) {
      const { thrown } = answer;
      if (interrupted) return [failure("timeout", timeoutMessage(limits.deadlineMs)), "rebuild"];
      if (OUT_OF_MEMORY.test(thrown)) return [failure("memory", memoryMessage(limits.memoryLimitBytes)), "rebuild"];
      if (OUT_OF_STACK.test(thrown)) return [failure("memory", STACK_MESSAGE), "rebuild"];
      return [failure("sandbox", `the render guest threw instead of answering: ${thrown}`), "rebuild"];
    }
    const { reply } = answer;
    if (interrupted) return [failure("timeout", timeoutMessage(limits.deadlineMs)), "rebuild"];
    // GUEST_NEED_SOURCE after being given the source is malformed too.
    const result = reply === undefined ? undefined : parseGuestReply(reply);
    if (!result) return [failure("sandbox", "the render guest returned a malformed reply"), "rebuild"];
    // The guest catches QuickJS's own limit errors and reports them as runtime errors.
    if (!result.ok && OUT_OF_MEMORY.test(result.error.message)) {
      return [failure("memory", memoryMessage(limits.memoryLimitBytes)), "rebuild"];
    }
    if (!result.ok && OUT_OF_STACK.test(result.error.message)) return [failure("memory", STACK_MESSAGE), "rebuild"];
    return [result, !result.ok && POISONING_KINDS.has(result.error.kind) ? "rebuild" : "keep"];
  } catch (error) {
    // Thrown on the host side: the WebAssembly instance trapped mid-render.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return [failure("memory", STACK_MESSAGE), "exit"];
    }
    return [failure("sandbox", `the render sandbox failed: ${String(error)}`), "exit"];
  } finally {
    try {
      runtime.removeInterruptHandler();
    } catch {
      // the instance trapped; the process exits after replying
    }
  }
}

/** What one call of the guest came to: what it threw, its reply if that is a string, or a heap too full to go on. */
type Answer = { thrown: string } | { reply: string | undefined } | { exhausted: true };

/** Covers the handles and the argument array the host allocates besides the strings. */
const ARGUMENT_SLACK_BYTES = 4096;
/** Room for the small values the host reads out of the engine (a type name, a length, an exception). */
const SMALL_READ_BYTES = 1024;

/** What the host allocates in the engine to pass `text`: its UTF-8 copy, then the QuickJS string made from it. */
function bytesToPass(text: string): number {
  const utf8 = Buffer.byteLength(text, "utf8");
  return utf8 + 1 + (utf8 === text.length ? utf8 : 2 * text.length) + 32;
}

/** One call of the guest's render. */
function callGuest(guest: Guest, request: RenderItem, source: string | null): Answer {
  const { context } = guest;
  // All of it must fit before the first copy is made (see HeapAccess): a guest may keep a full heap between renders.
  const strings = source === null ? [request.name, request.contextJson] : [request.name, request.contextJson, source];
  if (!guest.heap.fits(strings.reduce((bytes, text) => bytes + bytesToPass(text), ARGUMENT_SLACK_BYTES))) return { exhausted: true };
  const args = [
    context.newString(request.name),
    context.newNumber(request.key),
    source === null ? context.null : context.newString(source),
    context.newString(request.contextJson),
    request.exactNumbers ? context.true : context.false,
  ];
  let call;
  try {
    call = context.callFunction(guest.render, guest.api, args);
  } finally {
    for (const arg of args) arg.dispose();
  }
  if (call.error) {
    // QuickJS throws null when the heap cannot hold even the error object; reading any exception needs room too.
    const exhausted = context.sameValue(call.error, context.null) || !guest.heap.fits(SMALL_READ_BYTES);
    const thrown = exhausted ? "" : describeException(context, call.error);
    call.error.dispose();
    return exhausted ? { exhausted } : { thrown };
  }
  try {
    return readReply(guest, call.value);
  } finally {
    call.value.dispose();
  }
}

/**
 * The reply as a host string. Reading it copies it out of the engine's heap (as UTF-8,
 * unless it is ASCII), and a copy that does not fit comes back from the library as "":
 * the guest never replies "", so an empty read of a non-empty string is a full heap.
 */
function readReply(guest: Guest, value: QuickJSHandle): Answer {
  const { context, heap } = guest;
  if (!heap.fits(SMALL_READ_BYTES)) return { exhausted: true };
  if (context.typeof(value) !== "string") return { reply: undefined };
  const reply = context.getString(value);
  if (reply === "" && (!heap.fits(SMALL_READ_BYTES) || lengthOf(context, value) > 0)) return { exhausted: true };
  return { reply };
}

function lengthOf(context: QuickJSContext, value: QuickJSHandle): number {
  const length = context.getProp(value, "length");
  try {
    return context.getNumber(length);
  } finally {
    length.dispose();
  }
}

/** A short description of a QuickJS exception, without trusting its shape. */
function describeException(context: QuickJSContext, handle: QuickJSHandle): string {
  try {
    const value: unknown = context.dump(handle);
    if (typeof value === "object" && value !== null) {
      const { name, message } = value as { name?: unknown; message?: unknown };
      return `${String(name ?? "Error")}: ${String(message ?? "")}`.slice(0, 500);
    }
    return String(value).slice(0, 500);
  } catch {
    return "an exception that could not be read";
  }
}

async function main(): Promise<void> {
  const guestPath = process.argv[2];
  const limits = parseLimits(process.argv[3]);
  if (!guestPath || !limits) {
    sendToPool({ type: "failed", message: "usage: host.js <guest.js path> <limits JSON>" }, () => process.exit(1));
    return;
  }
  let module: QuickJSWASMModule;
  let source: string;
  let guest: Guest | undefined;
  try {
    source = readFileSync(guestPath, "utf8");
    module = await loadEngine(limits);
    guest = loadGuest(module, source, limits);
  } catch (error) {
    sendToPool({ type: "failed", message: String(error) }, () => process.exit(1));
    return;
  }

  // The template sources the pool has sent us, evicted exactly as the pool's copy of this record is.
  const sources = new SourceCache<number, string>();
  process.on("disconnect", () => process.exit(0));
  process.on("message", (message: unknown) => {
    const request = requestedRenders(message);
    if (!request) process.exit(1); // only the pool talks to us; anything else is a bug
    const held = holdSources(sources, request.renders);
    const rebuild = (): void => {
      if (guest) disposeGuest(guest);
      guest = undefined;
      guest = loadGuest(module, source, limits);
    };
    const { results, aftermath } = runBatch(request.renders, held, limits.deadlineMs, (item, templateSource) => {
      guest ??= loadGuest(module, source, limits);
      return render(guest, item, templateSource, limits);
    }, rebuild);
    sendToPool({ type: "results", id: request.id, results, retiring: aftermath === "exit" }, (error) => {
      if (error || aftermath === "exit") process.exit(1);
      if (aftermath !== "rebuild" || !guest) return;
      try {
        rebuild();
      } catch {
        process.exit(1);
      }
    });
  });
  sendToPool({ type: "ready" });
}

await main();
