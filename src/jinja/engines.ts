// The engines the render pool runs templates on, and how a child of each starts.
//   - "quickjs": the guest interpreted by QuickJS compiled to WebAssembly
//     (sandbox-host.ts). Memory, deadline and stack are enforced per render
//     inside the engine; host and guest share no code. For templates nobody
//     vouches for: pull requests from forks.
//   - "v8": the guest compiled by V8 in a SES compartment (sandbox-v8-host.ts),
//     in a child under Node's permission model with its own heap limit. Several
//     times faster; its memory cap is the child's (see below). For templates
//     from the repository's own branches.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SandboxLimits } from "./sandbox-protocol.js";

export type RenderEngine = "quickjs" | "v8";
export const RENDER_ENGINES: readonly RenderEngine[] = ["quickjs", "v8"];

export interface ChildLaunch {
  script: string;
  args: string[];
  execArgv: string[];
}

/** V8 heap of a QuickJS child: holds the reply strings, not the QuickJS heap (WebAssembly memory). */
const QUICKJS_CHILD_HEAP_MB = 256;
/**
 * What a V8 child's heap holds besides one render: SES, the guest, its caches
 * and the request in flight. Its heap limit is this plus the memory cap.
 */
const V8_BASE_HEAP_MB = 48;

export function childLaunch(engine: RenderEngine, limits: SandboxLimits): ChildLaunch {
  const paths = sandboxPaths();
  const args = [paths.guest, JSON.stringify(limits)];
  if (engine === "quickjs") return { script: paths.host, args, execArgv: [`--max-old-space-size=${QUICKJS_CHILD_HEAP_MB}`] };
  // Node 20 spells the permission model --experimental-permission, Node 22 and later --permission.
  const permission = process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";
  const heapMb = Math.ceil(limits.memoryLimitBytes / (1024 * 1024)) + V8_BASE_HEAP_MB;
  return {
    script: paths.v8Host,
    args,
    execArgv: [permission, `--allow-fs-read=${paths.v8Host}`, `--allow-fs-read=${paths.guest}`, `--max-old-space-size=${heapMb}`, "--no-warnings"],
  };
}

/**
 * How far a V8 child's resident size may grow past its size when it was ready
 * before the pool kills it as over the memory cap. V8's heap limit does not
 * count ArrayBuffers' contents, so the pool watches the process itself: the
 * heap may grow by its limit, and by the cap again outside it.
 */
export function residentAllowance(limits: SandboxLimits): number {
  return 2 * limits.memoryLimitBytes + V8_BASE_HEAP_MB * 1024 * 1024;
}

/** Whether a child's stderr says V8 ran out of heap (the process aborts). */
export function heapLimitReached(stderr: string): boolean {
  return /JavaScript heap out of memory|Reached heap limit/.test(stderr);
}

/** A process's resident set size in bytes (VmRSS in /proc on Linux); undefined where that cannot be read. */
export function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /^VmRSS:\s*(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

interface SandboxPaths {
  host: string;
  v8Host: string;
  guest: string;
}

let cachedPaths: SandboxPaths | undefined;

/** dist/sandbox/{host.js,v8-host.cjs,guest.js} under the package root, found from this file in src/ (vitest) or dist/ (tsc). */
function sandboxPaths(): SandboxPaths {
  if (cachedPaths) return cachedPaths;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isBaryonRoot(dir)) {
      const sandbox = join(dir, "dist", "sandbox");
      const paths = { host: join(sandbox, "host.js"), v8Host: join(sandbox, "v8-host.cjs"), guest: join(sandbox, "guest.js") };
      const missing = Object.values(paths).filter((path) => !existsSync(path));
      if (missing.length > 0) {
        throw new Error(`the render sandbox is not built (${missing.join(", ")} missing); run node scripts/build-sandbox.mjs`);
      }
      return (cachedPaths = paths);
    }
    if (dirname(dir) === dir) throw new Error(`could not find the baryon package root above ${start}`);
  }
}

function isBaryonRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "baryon";
  } catch {
    return false;
  }
}
