// `baryon ui`: the web console on this checkout's registry, on 127.0.0.1 only,
// until interrupted. It prints a one-time sign-in link.
import { once } from "node:events";
import { startConsole } from "../web-console.js";
import { topOf } from "./fleet-commands.js";
import type { Out } from "./output.js";
import { UsageError } from "./output.js";
import { checkoutOwner, openState } from "./state.js";

export async function runUi(options: { dir: string; port?: string }, out: Out, stop: Promise<unknown> = interrupted()): Promise<number> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${options.port}: give a port number (0 for any free one)`);
  const top = await topOf(options.dir);
  const adapters = await openState(top);
  try {
    const web = await startConsole({ registry: adapters.registry, artifacts: adapters.artifacts, renderer: adapters.renderer, owner: await checkoutOwner(top), port });
    out.write(`Baryon's console for this registry, on this machine only. Open once to sign in:\n  ${web.loginUrl}\n`);
    await stop;
    await web.close();
    return 0;
  } finally {
    await adapters.close();
  }
}

function interrupted(): Promise<unknown> {
  return Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
}
