// What an operation handler gets and returns, and the answers they share.
import type { IncomingHttpHeaders } from "node:http";
import type { Ctx } from "./objects-repos.js";
import type { Operation } from "./openapi.js";
import type { RepoRecord } from "./state.js";

export interface FakeRequest {
  operation: Operation;
  /** Path and query parameters, converted to their schema types. */
  params: Record<string, unknown>;
  body: unknown;
  headers: IncomingHttpHeaders;
  url: URL;
  /** The installation whose token authenticated the request, if one did. */
  installationId?: number;
  /** The user whose user-to-server token authenticated the request, if one did. */
  user?: string;
}

export interface FakeResponse {
  status: number;
  json?: unknown;
  text?: string;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export interface HandlerCtx extends Ctx {
  /** Registers bytes to serve once from the codeload-like path; returns its URL. */
  codeload(path: string, bytes: Uint8Array, contentType: string): string;
}

export type Handler = (req: FakeRequest, ctx: HandlerCtx) => FakeResponse;

export interface HandlerSpec {
  /** `jwt`: the app's own endpoints; `token`: an installation or user token the fake issued; `user`: a user token only. */
  auth: "jwt" | "token" | "user";
  handle: Handler;
}

/**
 * A request GitHub would refuse because the client got it wrong (too many
 * annotations, a body over the limit): answered like GitHub and recorded as
 * unexpected, since a correct app never sends it. `recorded: false` is for a
 * refusal a correct app meets too (a user without write access).
 */
export class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: unknown[] = [],
    readonly recorded = true,
  ) {
    super(message);
    this.name = "Rejection";
  }
}

export function errorJson(operation: Operation | undefined, status: number, message: string, errors?: unknown[]): Record<string, unknown> {
  return {
    message,
    ...(errors && errors.length > 0 ? { errors } : {}),
    documentation_url: `https://docs.github.com/rest${operation ? `#${operation.operationId.replace("/", "-")}` : ""}`,
    status: String(status),
  };
}

export function notFound(req: FakeRequest): FakeResponse {
  return { status: 404, json: errorJson(req.operation, 404, "Not Found") };
}

export function validationFailed(message: string, field?: string, code = "invalid"): Rejection {
  return new Rejection(422, "Validation Failed", [{ resource: "Request", ...(field ? { field } : {}), code, message }]);
}

const WRITE_ROLES = new Set(["write", "maintain", "admin"]);

/**
 * The repository named by `owner` and `repo`, if it exists and the token may see it:
 * its installation's token, or a user token of someone who may read it (and write, for a write).
 */
export function repoOf(req: FakeRequest, ctx: HandlerCtx): RepoRecord | undefined {
  const repo = ctx.state.findRepo(String(req.params.owner), String(req.params.repo));
  if (repo && req.installationId !== undefined && repo.installationId !== req.installationId) {
    // GitHub answers 404 here; an app that reads the wrong installation's repo has a bug worth seeing.
    throw new Rejection(404, `Not Found (${repo.fullName} belongs to installation ${repo.installationId}, the token to ${req.installationId})`);
  }
  if (repo && req.user !== undefined) {
    const role = ctx.state.roleOf(repo, req.user);
    if (role === "none") throw new Rejection(404, `Not Found (${req.user} cannot see ${repo.fullName})`);
    // The app's permissions meet the user's: GitHub refuses the write, and an app cannot know beforehand.
    if (req.operation.method !== "GET" && req.operation.method !== "HEAD" && !WRITE_ROLES.has(role)) {
      throw new Rejection(403, "Resource not accessible by integration", [], false);
    }
  }
  return repo;
}

/** Who a write is attributed to: the user for a user token, else the app's bot. */
export function actor(req: FakeRequest, ctx: HandlerCtx): string {
  return req.user ?? ctx.state.botLogin;
}

/** One page of a list, with GitHub's `link` header (per_page defaults to 30, at most 100). */
export function paginate<T>(req: FakeRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(req.params.per_page ?? 30), 100);
  const page = Math.max(Number(req.params.page ?? 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string): string => {
    const url = new URL(req.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, "prev"), link(1, "first")] : []),
    ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
  ];
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(", ") } : {} };
}
