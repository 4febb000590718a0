// Signed webhook deliveries built from GitHub's real example payloads
// (@octokit/webhooks-examples), patched with the test's repository, numbers
// and SHAs and nothing else, so an app meets the fields GitHub really sends.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { nodeId as nodeIdOf } from "./objects-repos.js";
import type { CheckRunRecord, CommentRecord, FakeState, PullRecord, RepoRecord, StatusRecord } from "./state.js";

type Json = Record<string, unknown>;

export interface Delivery {
  headers: {
    "x-github-event": string;
    "x-github-delivery": string;
    "x-hub-signature-256": string;
    "content-type": "application/json";
    [name: string]: string;
  };
  /** The exact bytes GitHub would POST; the signature covers them. */
  body: string;
  payload: Json;
}

export interface DeliveryOptions {
  secret: string;
  /** Reuse one to simulate GitHub redelivering the same event; a fresh UUID otherwise. */
  deliveryId?: string;
  /** Who caused the event; the pull request's author or the comment's by default. */
  sender?: string;
}

/** The fake (or anything with its url and state) the payload should point at. */
export interface WebhookSource {
  url: string;
  state: FakeState;
}

let examples: { name: string; examples: Json[] }[] | undefined;

/** A deep copy of GitHub's example for an event (and action), preferring one sent to an app installation. */
export function exampleOf(event: string, action?: string): Json {
  examples ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8")) as typeof examples;
  const all = (examples?.find((e) => e.name === event)?.examples ?? []).filter((e) => action === undefined || e.action === action);
  const example = all.find((e) => "installation" in e && (event !== "push" || String(e.ref).startsWith("refs/heads/"))) ?? all[0];
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ""} example`);
  return structuredClone(example);
}

/** Signs any payload as GitHub does: HMAC-SHA256 of the exact body with the webhook secret. */
export function signedDelivery(event: string, payload: Json, options: DeliveryOptions & { appId?: number }): Delivery {
  const body = JSON.stringify(payload);
  return {
    headers: {
      "x-github-event": event,
      "x-github-delivery": options.deliveryId ?? randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", options.secret).update(body).digest("hex")}`,
      "x-hub-signature": `sha1=${createHmac("sha1", options.secret).update(body).digest("hex")}`,
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(options.appId ?? 1),
    },
    body,
    payload,
  };
}

/** POSTs a delivery to the app's webhook URL, as GitHub would. */
export async function deliver(url: string, delivery: Delivery): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
}

export function pullRequestDelivery(
  source: WebhookSource,
  action: "opened" | "synchronize" | "closed" | "reopened" | "edited",
  pull: PullRecord,
  options: DeliveryOptions & { before?: string },
): Delivery {
  const payload = retarget(source, exampleOf("pull_request", action), pull.repo);
  const old = payload.pull_request as Json;
  replaceStrings(old, new RegExp(`/(pulls?|issues)/${String(old.number)}\\b`, "g"), `/$1/${pull.number}`);
  const side = (repo: RepoRecord, ref: string, sha: string, example: Json): Json => ({
    ...example,
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: account(source, example.user as Json, repo.owner, repo.ownerType),
    repo: repository(source, example.repo as Json, repo),
  });
  payload.number = pull.number;
  payload.pull_request = {
    ...old,
    id: pull.id,
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    user: account(source, old.user as Json, pull.author, "User"),
    head: side(pull.headRepo, pull.headRef, pull.headSha, old.head as Json),
    base: side(pull.repo, pull.baseRef, pull.baseSha, old.base as Json),
    merged: pull.merged,
    merge_commit_sha: pull.mergeCommitSha,
    merged_at: pull.merged ? pull.closedAt : null,
    closed_at: pull.closedAt,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
  };
  if (action === "synchronize") {
    payload.before = options.before ?? payload.before;
    payload.after = pull.headSha;
  }
  payload.sender = account(source, payload.sender as Json, options.sender ?? pull.author, "User");
  return signedDelivery("pull_request", payload, { ...options, appId: source.state.app.id });
}

export function issueCommentDelivery(source: WebhookSource, action: "created" | "edited" | "deleted", comment: CommentRecord, options: DeliveryOptions): Delivery {
  const payload = retarget(source, exampleOf("issue_comment", action), comment.repo);
  const issue = payload.issue as Json;
  replaceStrings(payload, new RegExp(`/(issues|pull)/${String(issue.number)}\\b`, "g"), `/$1/${comment.issueNumber}`);
  const pull = source.state.pulls.find((p) => p.repo === comment.repo && p.number === comment.issueNumber);
  const api = `${source.url}/repos/${comment.repo.fullName}`;
  const html = `https://github.com/${comment.repo.fullName}`;
  const { pull_request: _ignored, ...plainIssue } = issue;
  payload.issue = {
    ...plainIssue,
    number: comment.issueNumber,
    ...(pull
      ? {
          title: pull.title,
          user: account(source, issue.user as Json, pull.author, "User"),
          state: pull.state,
          // An issue_comment on a pull request carries this object; it is how an app tells the two apart.
          pull_request: { url: `${api}/pulls/${pull.number}`, html_url: `${html}/pull/${pull.number}`, diff_url: `${html}/pull/${pull.number}.diff`, patch_url: `${html}/pull/${pull.number}.patch`, merged_at: pull.merged ? pull.closedAt : null },
        }
      : {}),
  };
  const old = payload.comment as Json;
  payload.comment = {
    ...old,
    id: comment.id,
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${html}/${pull ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: account(source, old.user as Json, comment.author, comment.author.endsWith("[bot]") ? "Bot" : "User"),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
  payload.sender = account(source, payload.sender as Json, options.sender ?? comment.author, "User");
  return signedDelivery("issue_comment", payload, { ...options, appId: source.state.app.id });
}

export function pushDelivery(source: WebhookSource, repo: RepoRecord, push: { ref: string; before: string; after: string }, options: DeliveryOptions): Delivery {
  const payload = retarget(source, exampleOf("push"), repo);
  const [exampleCommit] = (payload.commits as Json[] | undefined) ?? [];
  const commit = { ...(exampleCommit ?? {}), id: push.after, tree_id: source.state.git.get(push.after)?.treeSha ?? push.after, url: `https://github.com/${repo.fullName}/commit/${push.after}` };
  Object.assign(payload, {
    ref: push.ref,
    before: push.before,
    after: push.after,
    created: /^0+$/.test(push.before),
    deleted: /^0+$/.test(push.after),
    compare: `https://github.com/${repo.fullName}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
  });
  if (options.sender) payload.sender = account(source, payload.sender as Json, options.sender, "User");
  return signedDelivery("push", payload, { ...options, appId: source.state.app.id });
}

/** A check run's event (another app's run, made with `state.addCheckRun`). */
export function checkRunDelivery(source: WebhookSource, action: "created" | "completed", run: CheckRunRecord, options: DeliveryOptions): Delivery {
  const payload = retarget(source, exampleOf("check_run", action), run.repo);
  const old = payload.check_run as Json;
  payload.check_run = {
    ...old, id: run.id, node_id: nodeIdOf("CheckRun", run.id), name: run.name, head_sha: run.headSha, status: run.status, conclusion: run.conclusion,
    started_at: run.startedAt, completed_at: run.completedAt, external_id: run.externalId ?? "", pull_requests: [],
    output: { ...(old.output as Json), title: run.output.title, summary: run.output.summary, text: run.output.text },
    check_suite: { ...(old.check_suite as Json), head_sha: run.headSha, pull_requests: [] },
  };
  if (options.sender) payload.sender = account(source, payload.sender as Json, options.sender, "User");
  return signedDelivery("check_run", payload, { ...options, appId: source.state.app.id });
}

/** A commit status's event (made with `state.addStatus`). */
export function statusDelivery(source: WebhookSource, status: StatusRecord, options: DeliveryOptions): Delivery {
  const payload = retarget(source, exampleOf("status"), status.repo);
  Object.assign(payload, {
    id: status.id, sha: status.sha, state: status.state, context: status.context, description: status.description,
    created_at: status.createdAt, updated_at: status.createdAt, branches: [],
    commit: { ...(payload.commit as Json), sha: status.sha },
  });
  if (options.sender) payload.sender = account(source, payload.sender as Json, options.sender, "User");
  return signedDelivery("status", payload, { ...options, appId: source.state.app.id });
}

export function installationDelivery(source: WebhookSource, action: "created" | "deleted", repos: RepoRecord[], options: DeliveryOptions): Delivery {
  const first = repos[0];
  if (!first) throw new Error("an installation covers at least one repository");
  const payload = exampleOf("installation", action);
  const installation = payload.installation as Json;
  replaceStrings(payload, /https:\/\/api\.github\.com/g, source.url);
  payload.installation = {
    ...installation,
    id: first.installationId,
    app_id: source.state.app.id,
    app_slug: source.state.app.slug,
    account: account(source, installation.account as Json, first.owner, first.ownerType),
    target_id: source.state.userId(first.owner),
    target_type: first.ownerType,
  };
  payload.repositories = repos.map((r) => ({ id: r.id, node_id: nodeIdOf("Repository", r.id), name: r.name, full_name: r.fullName, private: r.private }));
  payload.sender = account(source, payload.sender as Json, options.sender ?? first.owner, "User");
  return signedDelivery("installation", payload, { ...options, appId: source.state.app.id });
}

/** Points an example at the test's repository: its urls, `repository`, `organization` and `installation`. */
function retarget(source: WebhookSource, payload: Json, repo: RepoRecord): Json {
  const example = payload.repository as Json;
  replaceStrings(payload, new RegExp(String(example.full_name).replace("/", "\\/"), "g"), repo.fullName);
  replaceStrings(payload, /https:\/\/api\.github\.com/g, source.url);
  payload.repository = repository(source, payload.repository as Json, repo);
  if (payload.organization || repo.ownerType === "Organization") {
    const org = (payload.organization as Json | undefined) ?? {};
    payload.organization = repo.ownerType === "Organization" ? { ...org, login: repo.owner, id: source.state.userId(repo.owner), node_id: nodeIdOf("Organization", source.state.userId(repo.owner)) } : undefined;
  }
  payload.installation = { id: repo.installationId, node_id: nodeIdOf("Installation", repo.installationId) };
  return payload;
}

function repository(source: WebhookSource, example: Json, repo: RepoRecord): Json {
  return {
    ...example,
    id: repo.id,
    node_id: nodeIdOf("Repository", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    fork: repo.parent !== undefined,
    owner: account(source, example.owner as Json, repo.owner, repo.ownerType),
    default_branch: repo.defaultBranch,
    ...("master_branch" in example ? { master_branch: repo.defaultBranch } : {}),
  };
}

function account(source: WebhookSource, example: Json | undefined, login: string, type: string): Json {
  const id = source.state.userId(login);
  const copy: Json = structuredClone(example ?? {});
  if (typeof copy.login === "string") replaceStrings(copy, new RegExp(`/${copy.login.replace(/[[\]]/g, "\\$&")}\\b`, "g"), `/${encodeURIComponent(login)}`);
  return { ...copy, login, id, node_id: nodeIdOf(type, id), type, avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4` };
}

function replaceStrings(node: unknown, pattern: RegExp, replacement: string): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => (typeof v === "string" ? (node[i] = v.replace(pattern, replacement)) : replaceStrings(v, pattern, replacement)));
  } else if (typeof node === "object" && node !== null) {
    const obj = node as Json;
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === "string") obj[k] = v.replace(pattern, replacement);
      else replaceStrings(v, pattern, replacement);
    }
  }
}
