// ChangeSource for a pull request: the base and head commits, each read as one
// tarball. Requests per review: two, whatever the number of files.
import { Readable } from "node:stream";
import type { ProbotOctokit } from "probot";
import type { Snapshot } from "../../bundle/files.js";
import type { ChangeSource } from "../../ports/change-source.js";
import { readTarball } from "./tarball.js";

export interface PullRequestRef {
  owner: string;
  repo: string;
  baseSha: string;
  headSha: string;
}

export function pullRequestChangeSource(octokit: ProbotOctokit, pr: PullRequestRef, root?: string): ChangeSource {
  const read = once(async (ref: string) => fetchTarball(octokit, pr.owner, pr.repo, ref, root));
  return {
    baseName: `${pr.owner}/${pr.repo}@${pr.baseSha.slice(0, 7)}`,
    headName: `${pr.owner}/${pr.repo}@${pr.headSha.slice(0, 7)}`,
    base: () => read(pr.baseSha),
    head: () => read(pr.headSha),
  };
}

/** Commits of a fork's pull request are reachable from the base repository, so both sides come from there. */
export async function fetchTarball(octokit: ProbotOctokit, owner: string, repo: string, ref: string, root?: string): Promise<Snapshot> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
    owner, repo, ref,
    request: { parseSuccessResponseBody: false },
  });
  const body = response.data as unknown;
  const stream = body instanceof ReadableStream ? Readable.fromWeb(body as import("node:stream/web").ReadableStream) : (body as Readable | Uint8Array);
  return readTarball(stream instanceof ArrayBuffer ? new Uint8Array(stream) : stream, root ? { root } : {});
}

function once<A, R>(fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  const cache = new Map<A, Promise<R>>();
  return (arg) => {
    let hit = cache.get(arg);
    if (!hit) cache.set(arg, (hit = fn(arg)));
    return hit;
  };
}
