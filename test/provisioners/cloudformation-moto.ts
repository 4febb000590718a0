// moto_server for the cloudformation provisioner's tests: started on a free port,
// stopped after; absent binaries skip with a reason. And a throttling proxy in
// front of it, so the SDK's own retry strategy meets real "Rate exceeded" answers.
//
// moto 5 does not resolve a stack's Outputs when a change set is executed (it does
// for CreateStack; getmoto/moto has no fix yet, other emulators had the same gap).
// CloudFormation does, so the server runs with a small patch that rebuilds the
// output map after ExecuteChangeSet, the way moto's own UpdateStack does.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../support/free-port.js";

const PATCHED_SERVER = `
import sys
from moto.cloudformation.models import CloudFormationBackend
from moto.server import main

execute = CloudFormationBackend.execute_change_set
def execute_and_resolve_outputs(self, change_set_name, stack_name=None):
    execute(self, change_set_name, stack_name)
    change_set = self.describe_change_set(change_set_name)
    stack = self.stacks[change_set.stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()
CloudFormationBackend.execute_change_set = execute_and_resolve_outputs
main(sys.argv[1:])
`;

/** Why moto cannot run here, or undefined when it can. */
export function motoMissing(): string | undefined {
  if (spawnSync("sh", ["-c", "command -v moto_server"]).status !== 0) return "moto_server is not installed (pip install 'moto[server]')";
  if (spawnSync("python3", ["-c", "import moto.server, moto.cloudformation.models"]).status !== 0) return "python3 cannot import moto (the one moto_server runs with)";
  return undefined;
}

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** `server`: the Python that runs moto (this file's patched one by default; a test may patch more). */
export async function startMoto(server = PATCHED_SERVER): Promise<Moto> {
  const port = await freePort();
  const child = spawn("python3", ["-c", server, "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  await untilReady(endpoint, child, () => stderr);
  return { endpoint, stop: () => stop(child) };
}

async function untilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    const ok = await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`moto_server did not answer within 20s: ${stderr()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export interface ThrottlingProxy {
  endpoint: string;
  /** Requests answered with Throttling, and the CloudFormation actions passed on. */
  throttled: number;
  forwarded: string[];
  /** The access key id each forwarded request was signed with. */
  signedWith: string[];
  close(): Promise<void>;
}

/** Answers the first `times` requests with CloudFormation's throttling error, and passes the rest to `target`. */
export async function throttlingProxy(target: string, times: number): Promise<ThrottlingProxy> {
  const state = { throttled: 0, forwarded: [] as string[], signedWith: [] as string[] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (state.throttled < times) {
        state.throttled++;
        res.writeHead(400, { "content-type": "text/xml" });
        res.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled-${state.throttled}</RequestId></ErrorResponse>`);
        return;
      }
      state.forwarded.push(new URLSearchParams(body.toString()).get("Action") ?? "?");
      state.signedWith.push(/Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? "?");
      const url = new URL(req.url ?? "/", target);
      const upstream = httpRequest(url, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", (error) => res.destroy(error));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as ThrottlingProxy;
}
