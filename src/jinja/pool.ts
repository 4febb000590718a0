// The production Renderer: a pool of child processes, each rendering with a
// deadline and a memory cap on one engine (see engines.ts): QuickJS
// (sandbox-host.ts) or V8 in a SES compartment (sandbox-v8-host.ts). Children
// get no environment variables and no stdin; they start lazily, requests served FIFO.
//
// Batching: callers fire many renders at once, so a child that comes free is
// sent every render queued (its share, when several children are free), up to
// MAX_BATCH_RENDERS and MAX_BATCH_CHARS, in one message, and answers them in one
// reply (sandbox-batch.ts). Each render keeps its own deadline and memory cap
// inside the child, so a runaway or out-of-memory render fails alone and the
// rest of its batch is answered. Renders the child did not start (it stopped
// early, or exited after an engine failure) go back to the front of the queue.
// If a child dies or hangs without answering a batch, the pool cannot tell which
// render was to blame: each render of that batch is sent again alone, and a
// render that fails alone is answered as it would have been without batching.
//
// Lifetime: idle children are unref'd, so a CLI that forgets close() still
// exits (the children notice the closed IPC channel and exit too). A render in
// flight keeps the process alive through its deadline timer. close() kills the
// children at once; call it when the renderer's owner shuts down.
//
// A template source crosses to a child once: the pool numbers each distinct
// source and sends the number alone to a child that already holds it (see
// RenderRequestMessage). Each worker records what its child holds in a
// SourceCache evicted exactly like the child's own; a replacement child is a
// new worker with an empty record.
//
// render() resolves with a RenderResult for everything a template or the
// sandbox can do, including a killed child or a closed pool. It rejects only
// when the context cannot be encoded as JSON, which is a bug in the caller.
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import {
  type RenderBatchMessage,
  type RenderItem,
  type RenderRequestMessage,
  type SandboxLimits,
  SourceCache,
  failure,
  memoryMessage,
  parseChildMessage,
  timeoutMessage,
} from "./sandbox-protocol.js";
import { RENDER_ENGINES, type RenderEngine, childLaunch, heapLimitReached, residentAllowance, residentBytes } from "./engines.js";
import type { RenderRequest, RenderResult, Renderer } from "../ports/renderer.js";
import { toPythonJson } from "../bundle/exact-numbers.js";
import { MAX_BATCH_CHARS, MAX_BATCH_RENDERS } from "./sandbox-batch.js";

export interface RenderPoolOptions {
  /** The engine templates run on (see engines.ts); default "quickjs". */
  engine?: RenderEngine;
  /** Child processes; default min(2, available parallelism). */
  size?: number;
  /** Per-render deadline in ms, enforced inside the child; default 2000. */
  deadlineMs?: number;
  /** Memory cap in bytes; default 64 MiB. QuickJS: its whole engine, guest included. V8: see engines.ts. */
  memoryLimitBytes?: number;
}

/** Extra time a child gets past the deadline before the pool kills it. */
const GRACE_MS = 1000;
/** Loading QuickJS and the guest takes ~100 ms; this only catches a wedged child. */
const START_TIMEOUT_MS = 15_000;
/** How often the pool samples a busy V8 child's resident size (see residentAllowance). */
const RESIDENT_SAMPLE_MS = 20;
const MIN_MEMORY_BYTES = 8 * 1024 * 1024;
const STDERR_TAIL_CHARS = 2000;

/** Distinct sources the pool remembers a number for (it holds their text); a forgotten source gets a new number. */
const SOURCE_KEYS = 256;
const SOURCE_KEY_CHARS = 8 * 1024 * 1024;

interface Job {
  name: string;
  key: number;
  source: string;
  contextJson: string;
  exactNumbers: boolean;
  /** Sent in a batch whose child died without answering: now sent alone, and its answer is final. */
  alone?: boolean;
  resolve(result: RenderResult): void;
}

interface Worker {
  child: ChildProcess;
  state: "starting" | "idle" | "busy" | "gone";
  /** The renders sent in the request in flight, in order. */
  jobs?: Job[];
  requestId?: number;
  timer?: NodeJS.Timeout;
  /** Why the child could not start, as it told us, or the tail of its stderr. */
  startFailure?: string;
  stderr: string;
  /** The source keys this child holds, as its own SourceCache holds them. */
  sent: SourceCache<number, true>;
  /** V8 children: resident size when ready, and the sampler watching it while busy. */
  readyBytes?: number;
  sampler?: NodeJS.Timeout;
  /** A V8 child's stderr said its heap ran out (it aborts). */
  outOfHeap?: boolean;
}

export function createRenderPool(options: RenderPoolOptions = {}): Renderer {
  const size = options.size ?? Math.min(2, availableParallelism());
  const limits: SandboxLimits = {
    deadlineMs: options.deadlineMs ?? 2000,
    memoryLimitBytes: options.memoryLimitBytes ?? 64 * 1024 * 1024,
  };
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`render pool size must be a positive integer, got ${size}`);
  if (!(limits.deadlineMs > 0)) throw new RangeError(`render deadline must be positive, got ${limits.deadlineMs}`);
  if (!(limits.memoryLimitBytes >= MIN_MEMORY_BYTES)) {
    throw new RangeError(`render memory limit must be at least ${MIN_MEMORY_BYTES} bytes, got ${limits.memoryLimitBytes}`);
  }
  const engine = options.engine ?? "quickjs";
  if (!RENDER_ENGINES.includes(engine)) throw new RangeError(`render engine must be one of ${RENDER_ENGINES.join(", ")}, got ${String(engine)}`);
  return new RenderPool(engine, size, limits);
}

class RenderPool implements Renderer {
  private readonly queue: Job[] = [];
  private readonly workers = new Set<Worker>();
  private nextJobId = 1;
  private closed = false;
  /** Source -> key. Keys are never reused, so a child never confuses two sources. */
  private readonly keys = new SourceCache<string, number>(SOURCE_KEYS, SOURCE_KEY_CHARS);
  private nextKey = 1;
  private pumpScheduled = false;

  constructor(
    private readonly engine: RenderEngine,
    private readonly size: number,
    private readonly limits: SandboxLimits,
  ) {}

  async render(request: RenderRequest): Promise<RenderResult> {
    if (this.closed) return failure("sandbox", "the renderer is closed");
    // Serialized here, in the host: the guest only ever sees a string. Numbers as
    // Python's json writes them (5.0 stays a float, big integers keep every digit).
    const { json, exact: exactNumbers } = toPythonJson(request.context);
    const contextJson = request.context === undefined ? "{}" : json;
    const { source } = request;
    let key = this.keys.get(source);
    if (key === undefined) {
      key = this.nextKey++;
      this.keys.add(source, key, source.length);
    }
    const job = { name: request.name, key, source, contextJson, exactNumbers };
    return new Promise((resolve) => {
      this.queue.push({ ...job, resolve });
      // After the caller's other synchronous render() calls, so that they go out together.
      if (this.pumpScheduled) return;
      this.pumpScheduled = true;
      queueMicrotask(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(failure("sandbox", "the renderer was closed"));
    const exits = [...this.workers].map((worker) => {
      const exited = new Promise<void>((resolve) => {
        if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
        // Idle children are unref'd; hold the event loop until this one is gone, or an
        // awaited close() would leave nothing pending and Node would exit mid-await.
        worker.child.ref();
        worker.child.once("exit", () => resolve());
      });
      this.retire(worker, failure("sandbox", "the renderer was closed"));
      return exited;
    });
    await Promise.all(exits);
  }

  /** Hands queued jobs to idle children, shared out evenly, and starts children for the rest, up to the pool size. */
  private pump(): void {
    if (this.closed) return;
    const idle = [...this.workers].filter((worker) => worker.state === "idle");
    for (let i = 0; i < idle.length && this.queue.length > 0; i++) {
      this.dispatch(idle[i]!, Math.min(MAX_BATCH_RENDERS, Math.ceil(this.queue.length / (idle.length - i))));
    }
    const starting = [...this.workers].filter((w) => w.state === "starting").length;
    for (let n = starting; this.queue.length > n && this.workers.size < this.size; n++) this.spawn();
  }

  /** Sends up to `share` jobs from the front of the queue to `worker` in one message. */
  private dispatch(worker: Worker, share: number): void {
    const jobs: Job[] = [];
    const items: RenderItem[] = [];
    let chars = 0;
    while (this.queue.length > 0 && jobs.length < share) {
      const job = this.queue[0]!;
      // Decided render by render, in order, as the child applies them (see RenderBatchMessage).
      const source = worker.sent.has(job.key) ? null : job.source;
      const size = job.contextJson.length + (source?.length ?? 0);
      if (jobs.length > 0 && (job.alone || jobs[0]!.alone || chars + size > MAX_BATCH_CHARS)) break;
      this.queue.shift();
      if (source !== null) worker.sent.add(job.key, true, source.length);
      const item: RenderItem = { name: job.name, key: job.key, source, contextJson: job.contextJson };
      if (job.exactNumbers) item.exactNumbers = true;
      jobs.push(job);
      items.push(item);
      chars += size;
    }
    const id = this.nextJobId++;
    worker.state = "busy";
    worker.jobs = jobs;
    worker.requestId = id;
    // The child enforces each deadline itself (QuickJS per render, V8 per lone
    // render); this timer is the backstop for a child that cannot (a long native
    // call, a wedged process, a V8 batch that never ends). A batch answers
    // within two deadlines (see sandbox-batch.ts).
    const backstopMs = (jobs.length === 1 ? this.limits.deadlineMs : 2 * this.limits.deadlineMs) + GRACE_MS;
    worker.timer = setTimeout(() => {
      this.retire(worker, failure("timeout", timeoutMessage(this.limits.deadlineMs)));
      this.pump();
    }, backstopMs);
    const message: RenderRequestMessage | RenderBatchMessage =
      items.length === 1 ? { type: "render", id, ...items[0]! } : { type: "batch", id, renders: items };
    worker.child.send(message, (error) => {
      if (error) this.lost(worker, `could not reach the render sandbox: ${error.message}`);
    });
    this.watchResidentSize(worker);
  }

  /** A busy V8 child that outgrows its allowance is killed, its render named for the memory cap. */
  private watchResidentSize(worker: Worker): void {
    const { readyBytes } = worker;
    if (readyBytes === undefined) return;
    const allowance = residentAllowance(this.limits);
    worker.sampler = setInterval(() => {
      const bytes = residentBytes(worker.child.pid);
      if (bytes === undefined || bytes - readyBytes <= allowance) return;
      this.retire(worker, failure("memory", memoryMessage(this.limits.memoryLimitBytes)));
      this.pump();
    }, RESIDENT_SAMPLE_MS);
    worker.sampler.unref();
  }

  private spawn(): void {
    let launch: ReturnType<typeof childLaunch>;
    try {
      launch = childLaunch(this.engine, this.limits);
    } catch (error) {
      // Without the artifacts no child can start; a later render looks again.
      for (const job of this.queue.splice(0)) job.resolve(failure("sandbox", (error as Error).message));
      return;
    }
    const child = fork(launch.script, launch.args, {
      env: {},
      execArgv: launch.execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    const worker: Worker = { child, state: "starting", stderr: "", sent: new SourceCache() };
    this.workers.add(worker);
    worker.timer = setTimeout(() => this.lost(worker, "the render sandbox did not start in time"), START_TIMEOUT_MS);

    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      const text = worker.stderr + chunk;
      // Read before the tail is cut: V8's stack trace after the message is longer than the tail.
      if (this.engine === "v8" && heapLimitReached(text)) worker.outOfHeap = true;
      worker.stderr = text.slice(-STDERR_TAIL_CHARS);
    });
    child.on("message", (raw) => this.onMessage(worker, raw));
    child.on("error", (error) => this.lost(worker, `the render sandbox failed: ${error.message}`));
    // "close", not "exit": it comes after the IPC channel is drained, so a reply
    // sent just before the child exits on purpose is not mistaken for a crash.
    child.on("close", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.lost(worker, `the render sandbox process ${how}`);
    });
    // Idle children must not keep the parent alive (see the note at the top).
    child.unref();
    child.channel?.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  private onMessage(worker: Worker, raw: unknown): void {
    if (worker.state === "gone") return;
    const message = parseChildMessage(raw);
    if (!message) {
      this.lost(worker, "the render sandbox sent a malformed reply");
      return;
    }
    if (message.type === "failed") {
      worker.startFailure = message.message;
    } else if (message.type === "ready" && worker.state === "starting") {
      clearTimeout(worker.timer);
      worker.state = "idle";
      if (this.engine === "v8") worker.readyBytes = residentBytes(worker.child.pid);
      this.pump();
    } else if (message.type === "results" && worker.state === "busy" && message.id === worker.requestId) {
      const jobs = worker.jobs!;
      if (message.results.length > jobs.length) {
        this.lost(worker, "the render sandbox sent a malformed reply");
        return;
      }
      clearTimeout(worker.timer);
      clearInterval(worker.sampler);
      worker.jobs = undefined;
      worker.requestId = undefined;
      if (message.retiring) this.retire(worker);
      else worker.state = "idle";
      // Renders the child did not start go first next time, in their order.
      this.queue.unshift(...jobs.slice(message.results.length));
      message.results.forEach((result, i) => jobs[i]!.resolve(result));
      this.pump();
    }
  }

  /**
   * A child died or misbehaved: answer its render (or send its batch's renders
   * again alone; or, if it never started, answer the oldest queued one) and replace it.
   */
  private lost(worker: Worker, reason: string): void {
    if (worker.state === "gone") return;
    if (worker.state === "starting") {
      const detail = worker.startFailure ?? (worker.stderr.trim() || reason);
      // With no child running, every waiting render would only start another child that fails the same
      // way (a burst of a thousand would start a thousand): they all get this answer, the next render a new child.
      const running = [...this.workers].some((w) => w.state === "idle" || w.state === "busy");
      const waiting = running ? this.queue.splice(0, 1) : this.queue.splice(0);
      for (const job of waiting) job.resolve(failure("sandbox", `could not start the render sandbox: ${detail}`));
    }
    // A V8 child that ran out of heap aborts; its stderr says so.
    this.retire(worker, worker.outOfHeap ? failure("memory", memoryMessage(this.limits.memoryLimitBytes)) : failure("sandbox", reason));
    this.pump();
  }

  /**
   * Kills a child and answers its render, if any, with `result`. The renders of
   * a batch go back to the front of the queue to be sent alone instead, unless
   * the pool is closed: any one of them may be the one that broke the child.
   */
  private retire(worker: Worker, result?: RenderResult): void {
    if (worker.state === "gone") return;
    clearTimeout(worker.timer);
    clearInterval(worker.sampler);
    const jobs = worker.jobs ?? [];
    worker.state = "gone";
    worker.jobs = undefined;
    this.workers.delete(worker);
    worker.child.kill("SIGKILL");
    if (!result) return;
    if (jobs.length > 1 && !this.closed) this.queue.unshift(...jobs.map((job) => ({ ...job, alone: true })));
    else for (const job of jobs) job.resolve(result);
  }
}
