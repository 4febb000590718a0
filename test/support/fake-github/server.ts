// The loopback fake GitHub: every request is matched to an operation of
// GitHub's OpenAPI description and checked against it, every JSON response is
// checked too, and anything a correct app would never cause is recorded so
// `assertNoUnexpected()` fails the test that caused it.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkJwt, checkToken } from "./auth.js";
import { errorJson, Rejection, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { checkHandlers } from "./handlers-checks.js";
import { deploymentHandlers } from "./handlers-deployments.js";
import { gitHandlers } from "./handlers-git.js";
import { issueRecordHandlers } from "./handlers-issue-records.js";
import { issueHandlers } from "./handlers-issues.js";
import { repoHandlers } from "./handlers-repos.js";
import { userHandlers } from "./handlers-users.js";
import { oauthPages } from "./oauth.js";
import { loadOpenApi, type Operation } from "./openapi.js";
import { precompile, validateBody, validateParameters, validateResponse, type Problem } from "./schema.js";
import { FakeState } from "./state.js";

export interface FakeGitHubOptions {
  /** Added before every response (the benchmark uses 50 ms, about GitHub's own). */
  latencyMs?: number;
  appId?: number;
  appSlug?: string;
  /**
   * Compile the validators of every implemented operation now (~0.25 s, once per
   * process) instead of on each operation's first request, which can then take
   * 20–60 ms; a benchmark wants this.
   */
  precompile?: boolean;
  /** First id of this fake's objects; fakes started one after another in a process can keep their installations apart. */
  firstId?: number;
}

export interface Call {
  method: string;
  /** Path and query as requested. */
  path: string;
  /** Absent for what is not an API operation (the codeload hop of a tarball, the OAuth pages, an unknown path). */
  operationId?: string;
  status: number;
  /** True for a request to a REST API operation; false for the tarball download hop and the OAuth web flow. */
  api: boolean;
}

export interface Unexpected {
  method: string;
  path: string;
  operationId?: string;
  status: number;
  reason: string;
}

export interface FakeGitHub {
  url: string;
  state: FakeState;
  calls: Call[];
  /** The calls to REST operations, as GitHub would count them against a rate limit. */
  apiCalls(): Call[];
  unexpected: Unexpected[];
  /** Throws, listing every request nobody expected, and every injected failure nobody used. */
  assertNoUnexpected(): void;
  /** Returns and forgets the unexpected requests, for a test that provokes one on purpose. */
  takeUnexpected(): Unexpected[];
  /** Answers the next `times` calls of an operation with an error, as GitHub might (5xx, 403 rate limit…). */
  failNext(operationId: string, failure: { status: number; message?: string; times?: number; headers?: Record<string, string> }): void;
  close(): Promise<void>;
}

const HANDLERS: Record<string, HandlerSpec> = { ...repoHandlers, ...issueHandlers, ...issueRecordHandlers, ...checkHandlers, ...gitHandlers, ...deploymentHandlers, ...userHandlers };

/** The operations the fake implements (everything else answers 501 and is recorded). */
export const IMPLEMENTED_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const openapi = loadOpenApi();
  if (options.precompile) for (const id of IMPLEMENTED_OPERATIONS) precompile(openapi.operations.get(id) as Operation);
  const state = new FakeState({ id: options.appId ?? 1, slug: options.appSlug ?? "baryon" }, options.firstId);
  const calls: Call[] = [];
  const unexpected: Unexpected[] = [];
  const downloads = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const failures = new Map<string, { status: number; message?: string; times: number; headers?: Record<string, string> }>();
  let url = "";
  const oauth = oauthPages(state);

  const ctx: HandlerCtx = {
    get api() {
      return url;
    },
    state,
    codeload(path, bytes, contentType) {
      // Like codeload.github.com: a short-lived token in the query instead of a header.
      const token = randomBytes(12).toString("hex");
      downloads.set(token, { bytes, contentType });
      return `${url}/_codeload${path}?token=${token}`;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const target = new URL(req.url ?? "/", url);
    // GitHub Enterprise Server's REST API lives under /api/v3: Probot with GHE_HOST (a real
    // `baryon serve` process pointed at this fake) asks there.
    if (target.pathname.startsWith("/api/v3/")) target.pathname = target.pathname.slice("/api/v3".length);
    const path = target.pathname + target.search;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let operation: Operation | undefined;
    let answer: FakeResponse;
    let unexpectedReason: string | undefined;
    const reject = (status: number, reason: string, errors?: unknown[]): FakeResponse => {
      unexpectedReason = reason;
      return { status, json: errorJson(operation, status, reason, errors) };
    };

    if (target.pathname.startsWith("/_codeload/")) {
      const download = downloads.get(target.searchParams.get("token") ?? "");
      answer = download
        ? { status: 200, bytes: download.bytes, headers: { "content-type": download.contentType, "content-disposition": "attachment" } }
        : reject(404, "fake codeload: unknown or missing download token");
      return send(res, { method, path, status: answer.status, api: false }, answer, unexpectedReason);
    }

    if (target.pathname.startsWith("/login/oauth/")) {
      const page = oauth(method, target, raw, req.headers);
      return send(res, { method, path, status: page.answer.status, api: false }, page.answer, page.unexpected);
    }

    const matched = openapi.match(method, target.pathname);
    operation = matched?.operation;
    const spec = operation ? HANDLERS[operation.operationId] : undefined;
    if (!matched || !operation) {
      answer = reject(501, `fake GitHub: ${method} ${target.pathname} is not an operation of GitHub's REST API`);
    } else if (!spec) {
      answer = reject(501, `fake GitHub: ${operation.operationId} (${method} ${operation.template}) is not implemented by the fake`);
    } else {
      const auth = spec.auth === "jwt" ? checkJwt(req.headers, state.app.id) : checkToken(req.headers, state);
      const params = validateParameters(operation, matched.params, target.searchParams);
      const body = parseBody(raw, req.headers["content-type"]);
      const problems: Problem[] = [...params.problems, ...("error" in body ? [body.error] : validateBody(operation, body.value))];
      const failure = failures.get(operation.operationId);
      if (!auth.ok) {
        answer = reject(401, auth.message);
      } else if (spec.auth === "user" && auth.user === undefined) {
        answer = { status: 403, json: errorJson(operation, 403, "Resource not accessible by integration") };
        unexpectedReason = `${operation.operationId} needs a user token, the request sent an installation token`;
      } else if (problems.length > 0) {
        answer = reject(422, `fake GitHub: ${operation.operationId} request does not match GitHub's description: ${describe(problems)}`, problems);
      } else if (failure) {
        if (--failure.times <= 0) failures.delete(operation.operationId);
        answer = { status: failure.status, json: errorJson(operation, failure.status, failure.message ?? "Injected failure"), ...(failure.headers ? { headers: failure.headers } : {}) };
      } else {
        const request: FakeRequest = {
          operation,
          params: params.values,
          body: "value" in body ? body.value : undefined,
          headers: req.headers,
          url: target,
          ...(auth.installationId !== undefined ? { installationId: auth.installationId } : {}),
          ...(auth.user !== undefined ? { user: auth.user } : {}),
        };
        try {
          answer = spec.handle(request, ctx);
          if (answer.json !== undefined) {
            const wrong = validateResponse(operation, answer.status, answer.json);
            if (wrong.length > 0) unexpectedReason = `fake GitHub bug: its ${answer.status} response does not match GitHub's description: ${describe(wrong)}`;
          }
        } catch (error) {
          if (error instanceof Rejection) {
            answer = { status: error.status, json: errorJson(operation, error.status, error.message, error.errors) };
            const details = error.errors.map((e) => (e as { message?: string }).message).filter(Boolean);
            if (error.recorded) unexpectedReason = [error.message, ...details].join(": ");
          } else {
            answer = reject(500, `fake GitHub bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          }
        }
      }
    }
    return send(res, { method, path, ...(operation ? { operationId: operation.operationId } : {}), status: answer.status, api: true }, answer, unexpectedReason);
  }

  async function send(res: ServerResponse, call: Call, answer: FakeResponse, reason: string | undefined): Promise<void> {
    calls.push(call);
    if (reason) unexpected.push({ method: call.method, path: call.path, ...(call.operationId ? { operationId: call.operationId } : {}), status: call.status, reason });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const headers: Record<string, string> = {
      "x-github-request-id": randomUUID().toUpperCase(),
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(0, 5000 - calls.length)),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": String(calls.length),
      "x-ratelimit-resource": "core",
      ...(answer.json !== undefined ? { "content-type": "application/json; charset=utf-8" } : {}),
      ...answer.headers,
    };
    const payload = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.bytes ?? answer.text ?? "");
    res.writeHead(answer.status, { ...headers, "content-length": String(Buffer.byteLength(payload)) });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      unexpected.push({ method: req.method ?? "", path: req.url ?? "", status: 500, reason: `fake GitHub crashed: ${String(error)}` });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    state,
    calls,
    apiCalls: () => calls.filter((c) => c.api),
    unexpected,
    assertNoUnexpected() {
      const unused = [...failures].map(([id, f]) => `injected failure of ${id} (${f.status}) was never used`);
      const lines = [...unexpected.map((u) => `${u.method} ${u.path} → ${u.status}: ${u.reason}`), ...unused];
      unexpected.length = 0;
      failures.clear();
      if (lines.length > 0) throw new Error(`fake GitHub saw ${lines.length} unexpected request(s):\n- ${lines.join("\n- ")}`);
    },
    takeUnexpected: () => unexpected.splice(0),
    failNext(operationId, failure) {
      if (!openapi.operations.has(operationId)) throw new Error(`fake GitHub: no operation ${operationId}`);
      failures.set(operationId, { ...failure, times: failure.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseBody(raw: string, contentType: string | undefined): { value: unknown } | { error: Problem } {
  if (raw === "") return { value: undefined };
  if (contentType && !/json/.test(contentType)) return { error: { where: "body", message: `is ${contentType}, GitHub's REST API takes JSON` } };
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch {
    return { error: { where: "body", message: "Problems parsing JSON" } };
  }
}

function describe(problems: Problem[]): string {
  return problems.map((p) => `${p.where} ${p.message}`).join("; ");
}
