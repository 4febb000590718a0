// Runs one shell command in its own process group, so a timeout or an abort stops
// everything it started (a background `terraform` included), and whatever it left
// running when it exits goes too. Its stdout and stderr become one capped log.
// If Baryon itself dies (a killed worker), the group stops too: see WATCHDOG.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

export interface RunRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: number;
  logLimitBytes: number;
}

export type RunOutcome = { log: string } & (
  | { ended: "exited"; code: number }
  | { ended: "killed"; signal: string }
  | { ended: "timed_out" }
  | { ended: "aborted"; why: string }
  | { ended: "not_started"; error: string }
);

/**
 * The shell that leads the group. Its stdin is a pipe only Baryon writes to, so end of
 * file there means Baryon is gone (even by SIGKILL): a watcher then stops the whole
 * group, so that no orphaned deploy runs on beside the one a resync starts. The
 * command's exit status, or the signal that killed it, is passed on unchanged.
 * (Background jobs get /dev/null as stdin unless redirected: hence fd 3.)
 */
const WATCHDOG = `exec 3<&0
/bin/sh -c "$1" </dev/null 3<&- &
command=$!
{ trap '' TERM; cat <&3 >/dev/null; kill -TERM 0; sleep "$2"; kill -KILL 0; } &
watcher=$!
exec 3<&-
trap 'kill -KILL "$watcher" 2>/dev/null; exit 143' TERM INT HUP
wait "$command"
status=$?
kill -KILL "$watcher" 2>/dev/null
trap - TERM INT HUP
if [ "$status" -gt 128 ]; then kill -s "$(kill -l "$status")" $$; fi
exit "$status"`;

export async function runCommand(run: RunRequest): Promise<RunOutcome> {
  const log = new CappedLog(run.logLimitBytes);
  let child;
  try {
    // detached: the shell leads a new process group (and session), which `kill(-pgid)` reaches whole.
    const graceSeconds = String(Math.max(1, Math.ceil(run.killGraceMs / 1000)));
    child = spawn("/bin/sh", ["-c", WATCHDOG, "baryon-command", run.command, graceSeconds], { cwd: run.cwd, env: run.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    return { ended: "not_started", error: messageOf(error), log: "" };
  }
  // Arrival order: two pipes, so lines written within microseconds of each other may swap.
  child.stdout.on("data", (chunk: Buffer) => log.add(chunk));
  child.stderr.on("data", (chunk: Buffer) => log.add(chunk));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ error }));
  });

  const pgid = child.pid;
  let stopping: Promise<void> | undefined;
  const stopGroup = () => (stopping ??= pgid === undefined ? Promise.resolve() : stopProcessGroup(pgid, run.killGraceMs));
  let stoppedBy: { ended: "timed_out" } | { ended: "aborted"; why: string } | undefined;
  const stop = (why: NonNullable<typeof stoppedBy>) => {
    stoppedBy ??= why;
    void stopGroup();
  };
  const timer = setTimeout(() => stop({ ended: "timed_out" }), run.timeoutMs);
  const onAbort = () => stop({ ended: "aborted", why: abortReason(run.signal!) });
  if (run.signal?.aborted) onAbort();
  else run.signal?.addEventListener("abort", onAbort, { once: true });

  const end = await ended;
  clearTimeout(timer);
  run.signal?.removeEventListener("abort", onAbort);
  await stopGroup();
  // A process that left the group (setsid) may still hold the pipes open: stop waiting for it.
  await Promise.race([closed, delay(run.killGraceMs, undefined, { ref: false })]);
  child.stdin.destroy();
  child.stdout.destroy();
  child.stderr.destroy();

  const text = log.text();
  if ("error" in end) return { ended: "not_started", error: end.error.message, log: text };
  if (stoppedBy) return { ...stoppedBy, log: text };
  if (end.signal) return { ended: "killed", signal: end.signal, log: text };
  return { ended: "exited", code: end.code ?? 0, log: text };
}

/** SIGTERM to the whole group, SIGKILL to whatever still runs after the grace; resolves when the group is gone (or given up on). */
async function stopProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  if (await groupGone(pgid, graceMs)) return;
  if (!signalGroup(pgid, "SIGKILL")) return;
  await groupGone(pgid, graceMs);
}

/** False when no process of the group is left to signal. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function groupGone(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (let wait = 5; Date.now() < deadline; wait = Math.min(wait * 2, 100)) {
    if (!(await groupRunning(pgid))) return true;
    await delay(wait, undefined, { ref: false });
  }
  return !(await groupRunning(pgid));
}

/**
 * Whether a living process is left in the group. Orphans that nothing reaps (PID 1
 * of many containers does not) stay in it as zombies, which `kill(-pgid, 0)` still
 * finds: on Linux, /proc tells the living from the dead.
 */
async function groupRunning(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // After the command's name in parentheses: state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason.message;
  return typeof reason === "string" && reason ? reason : "aborted";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first quarter and the last three quarters of the output, with a marker of how much was cut between them. */
export class CappedLog {
  private readonly headMax: number;
  private readonly tailMax: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private cut = 0;

  constructor(limitBytes: number) {
    this.headMax = Math.floor(limitBytes / 4);
    this.tailMax = limitBytes - this.headMax;
  }

  add(chunk: Buffer): void {
    if (this.headBytes < this.headMax) {
      const taken = chunk.subarray(0, this.headMax - this.headBytes);
      this.head.push(taken);
      this.headBytes += taken.length;
      chunk = chunk.subarray(taken.length);
    }
    if (!chunk.length) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > this.tailMax) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailMax;
      const dropped = Math.min(first.length, excess);
      if (dropped === first.length) this.tail.shift();
      else this.tail[0] = first.subarray(dropped);
      this.tailBytes -= dropped;
      this.cut += dropped;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    return this.cut ? `${head}\n[… ${this.cut} bytes of output cut …]\n${tail}` : head + tail;
  }
}
