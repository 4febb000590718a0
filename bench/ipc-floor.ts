// The floor under any engine behind a process boundary (issue 12, goal 1): a child
// that renders nothing answers each render with Jinja2's output for it, over the
// same channel and in the same batches as the render pool (Node's IPC with V8
// serialization, MAX_BATCH_RENDERS a message, one message in flight), while the
// parent does the pool's least work per render: the context as Python's json writes
// it, a promise, the reply. If this floor alone is slower than Jinja2 rendering in
// process, no engine in a child process can reach Jinja2's throughput here.
import { spawn, type ChildProcess } from "node:child_process";
import { toPythonJson } from "../src/bundle/exact-numbers.js";
import { MAX_BATCH_RENDERS } from "../src/jinja/sandbox-batch.js";

/** The child, inline: it holds every output and answers a batch with the outputs it names. */
const CHILD = `
let outputs = [];
process.on("message", (m) => {
  if (m.type === "outputs") return void (outputs = m.outputs);
  process.send({ type: "results", id: m.id, results: m.renders.map((r) => ({ ok: true, output: outputs[r.index] })) });
});
process.on("disconnect", () => process.exit(0));
process.send({ type: "ready" });
`;

interface Reply {
  id: number;
  results: { ok: true; output: string }[];
}

export interface IpcFloor {
  /** Seconds to send every context `repeat` times and receive its output, per case. */
  round(cases: readonly { contexts: readonly unknown[] }[], repeat: number): Promise<number[]>;
  close(): void;
}

/** Starts the echo child holding `outputs[case][context]` (Jinja2's). */
export async function startIpcFloor(outputs: readonly (readonly string[])[]): Promise<IpcFloor> {
  const child: ChildProcess = spawn(process.execPath, ["-e", CHILD], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced", env: {} });
  const waiting = new Map<number, (reply: Reply) => void>();
  const ready = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("message", () => resolve());
  });
  await ready;
  child.on("message", (m) => waiting.get((m as Reply).id)?.(m as Reply));
  const flat = outputs.flat();
  child.send({ type: "outputs", outputs: flat });
  let nextId = 1;
  const send = (renders: { contextJson: string; index: number }[]) => new Promise<Reply>((resolve) => {
    const id = nextId++;
    waiting.set(id, (reply) => (waiting.delete(id), resolve(reply)));
    child.send({ type: "batch", id, renders });
  });
  return {
    async round(cases, repeat) {
      const seconds: number[] = [];
      let offset = 0;
      for (const [c, { contexts }] of cases.entries()) {
        const start = performance.now();
        const jobs = Array.from({ length: repeat }, () => contexts.map((context, i) => ({ context, index: offset + i }))).flat();
        for (let at = 0; at < jobs.length; at += MAX_BATCH_RENDERS) {
          const batch = jobs.slice(at, at + MAX_BATCH_RENDERS);
          // One promise a render, as callers of the pool hold.
          const answers = batch.map(deferred);
          const reply = await send(batch.map((job) => ({ contextJson: toPythonJson(job.context).json, index: job.index })));
          reply.results.forEach((result, i) => answers[i]!.resolve(result.output));
          const got = await Promise.all(answers.map((a) => a.promise));
          if (got.some((output, i) => output !== flat[batch[i]!.index])) throw new Error(`IPC floor: case ${c} came back changed`);
        }
        seconds.push((performance.now() - start) / 1000);
        offset += contexts.length;
      }
      return seconds;
    },
    close: () => void child.kill(),
  };
}

/** A promise and its resolve (Promise.withResolvers, which Node 20 lacks). */
function deferred(): { promise: Promise<unknown>; resolve(value: unknown): void } {
  let resolve!: (value: unknown) => void;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
