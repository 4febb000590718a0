// What the fake GitHub knows: repositories, their commits, pull requests, comments,
// check runs, deployments, permissions and installations. Tests set it up with
// the helpers below and read it back to assert what a user would see.
import { randomBytes } from "node:crypto";
import { GitStore, type FileContent } from "./git-store.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type RepoRef = string | RepoRecord;

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  ownerType: "Organization" | "User";
  defaultBranch: string;
  private: boolean;
  installationId: number;
  branches: Map<string, string>;
  permissions: Map<string, Permission>;
  /** The repository this one was forked from. */
  parent?: RepoRecord;
  createdAt: string;
}

export interface PullRecord {
  id: number;
  number: number;
  repo: RepoRecord;
  headRepo: RepoRecord;
  author: string;
  title: string;
  body: string | null;
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface ReactionRecord {
  id: number;
  content: string;
  user: string;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  repo: RepoRecord;
  issueNumber: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionRecord[];
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  repo: RepoRecord;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, across the create and all updates, as GitHub keeps them. */
  annotations: Annotation[];
}

/** A commit status another system (an infrastructure repository's CI) set. */
export interface StatusRecord {
  id: number;
  repo: RepoRecord;
  sha: string;
  context: string;
  state: "error" | "failure" | "pending" | "success";
  description: string | null;
  createdAt: string;
}

/** A deployment an app created (`repos/create-deployment`), with every status it was given, oldest first. */
export interface DeploymentRecord {
  id: number;
  repo: RepoRecord;
  sha: string;
  /** The ref as the request named it (a branch, tag or SHA). */
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: Record<string, unknown> | string;
  /** Who created it: the app's bot for an installation token. */
  creator: string;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  createdAt: string;
  updatedAt: string;
  statuses: DeploymentStatusRecord[];
}

export interface DeploymentStatusRecord {
  id: number;
  state: "error" | "failure" | "inactive" | "in_progress" | "queued" | "pending" | "success";
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  creator: string;
  /** An `inactive` GitHub added itself (`auto_inactive`) when a later deployment succeeded. */
  automatic: boolean;
  createdAt: string;
}

export interface TeamMembership {
  role: "member" | "maintainer";
  state: "active" | "pending";
}

export class FakeState {
  readonly git = new GitStore();
  readonly repos = new Map<string, RepoRecord>();
  readonly pulls: PullRecord[] = [];
  readonly commentList: CommentRecord[] = [];
  readonly checkRunList: CheckRunRecord[] = [];
  readonly statusList: StatusRecord[] = [];
  readonly deploymentList: DeploymentRecord[] = [];
  readonly teams = new Map<string, Map<string, TeamMembership>>();
  readonly tokens = new Map<string, { installationId: number; expiresAt: string }>();
  private readonly installationIds = new Map<string, number>();
  private readonly userIds = new Map<string, number>();
  private nextId: number;
  private clock = Date.UTC(2026, 0, 5, 9, 0, 0);

  /** `firstId` numbers this fake's objects (installations, comments, ...) apart from another fake's in the same process. */
  constructor(readonly app: { id: number; slug: string }, firstId = 1000) {
    this.nextId = firstId;
  }

  /** The app's bot login, as it appears on what it writes. */
  get botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  addRepo(options: { owner: string; name: string; defaultBranch?: string; private?: boolean; ownerType?: "Organization" | "User" }): RepoRecord {
    const fullName = `${options.owner}/${options.name}`;
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`fake GitHub: ${fullName} exists`);
    let installationId = this.installationIds.get(options.owner.toLowerCase());
    if (installationId === undefined) this.installationIds.set(options.owner.toLowerCase(), (installationId = this.id()));
    const repo: RepoRecord = {
      id: this.id(),
      owner: options.owner,
      name: options.name,
      fullName,
      ownerType: options.ownerType ?? "Organization",
      defaultBranch: options.defaultBranch ?? "main",
      private: options.private ?? false,
      installationId,
      branches: new Map(),
      permissions: new Map(),
      createdAt: this.now(),
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  repo(ref: RepoRef): RepoRecord {
    if (typeof ref !== "string") return ref;
    const repo = this.repos.get(ref.toLowerCase());
    if (!repo) throw new Error(`fake GitHub: no repository ${ref} (add it with state.addRepo)`);
    return repo;
  }

  findRepo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** The installation id covering an owner's repositories (one installation per owner). */
  installationId(owner: string): number | undefined {
    return this.installationIds.get(owner.toLowerCase());
  }

  /**
   * Commits files and returns the commit's SHA. With a parent (or a branch that
   * exists), `files` are changes on top of it, `null` deleting a path; with a
   * branch, the branch moves to the new commit.
   */
  commit(ref: RepoRef, files: Record<string, FileContent | null>, options: { parent?: string; branch?: string; message?: string } = {}): string {
    const repo = this.repo(ref);
    const parent = options.parent ?? (options.branch ? repo.branches.get(options.branch) : undefined);
    const commit = this.git.commit(files, parent, options.message);
    if (options.branch) repo.branches.set(options.branch, commit.sha);
    return commit.sha;
  }

  /** Resolves a branch name, `refs/heads/…`, `refs/pull/N/head` or a (short) SHA to a commit. */
  resolve(repo: RepoRecord, ref: string | undefined): string | undefined {
    const name = (ref ?? repo.defaultBranch).replace(/^refs\/heads\//, "").replace(/^heads\//, "");
    const branch = repo.branches.get(name);
    if (branch) return branch;
    const pull = /^refs\/pull\/(\d+)\/head$/.exec(name);
    if (pull) return this.pulls.find((p) => p.repo === repo && p.number === Number(pull[1]))?.headSha;
    if (/^[0-9a-f]{7,40}$/.test(name)) {
      if (this.git.get(name)) return name;
      for (const sha of this.git.commits.keys()) if (sha.startsWith(name)) return sha;
    }
    return undefined;
  }

  openPullRequest(
    ref: RepoRef,
    options: { number?: number; base: string; head: string; author: string; fork?: boolean; title?: string; body?: string; headRef?: string; baseRef?: string },
  ): PullRecord {
    const repo = this.repo(ref);
    const number = options.number ?? Math.max(0, ...this.pulls.filter((p) => p.repo === repo).map((p) => p.number)) + 1;
    if (this.pulls.some((p) => p.repo === repo && p.number === number)) throw new Error(`fake GitHub: ${repo.fullName}#${number} exists`);
    let headRepo = repo;
    if (options.fork) {
      headRepo = this.findRepo(options.author, repo.name) ?? this.addRepo({ owner: options.author, name: repo.name, ownerType: "User" });
      headRepo.parent = repo;
    }
    const headRef = options.headRef ?? `change-${number}`;
    headRepo.branches.set(headRef, options.head);
    const now = this.now();
    const pull: PullRecord = {
      id: this.id(),
      number,
      repo,
      headRepo,
      author: options.author,
      title: options.title ?? `Change ${number}`,
      body: options.body ?? null,
      baseRef: options.baseRef ?? repo.defaultBranch,
      baseSha: options.base,
      headRef,
      headSha: options.head,
      state: "open",
      merged: false,
      mergeCommitSha: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    this.pulls.push(pull);
    return pull;
  }

  pull(ref: RepoRef, number: number): PullRecord {
    const repo = this.repo(ref);
    const pull = this.pulls.find((p) => p.repo === repo && p.number === number);
    if (!pull) throw new Error(`fake GitHub: no pull request ${repo.fullName}#${number}`);
    return pull;
  }

  /** A push to the pull request's branch (the `synchronize` event). */
  pushToPullRequest(ref: RepoRef, number: number, head: string): PullRecord {
    const pull = this.pull(ref, number);
    pull.headSha = head;
    pull.headRepo.branches.set(pull.headRef, head);
    pull.updatedAt = this.now();
    return pull;
  }

  /** Closes a pull request; merging commits the head's files onto the base branch. */
  closePullRequest(ref: RepoRef, number: number, options: { merged?: boolean } = {}): PullRecord {
    const pull = this.pull(ref, number);
    const now = this.now();
    pull.state = "closed";
    pull.closedAt = now;
    pull.updatedAt = now;
    if (options.merged) {
      const head = this.git.get(pull.headSha);
      const parent = pull.repo.branches.get(pull.baseRef) ?? pull.baseSha;
      const base = this.git.get(parent);
      const changes: Record<string, FileContent | null> = {};
      for (const [path, file] of head?.files ?? []) changes[path] = file.mode === "120000" ? { symlink: Buffer.from(file.bytes).toString() } : file.bytes;
      for (const path of base?.files.keys() ?? []) if (!head?.files.has(path)) changes[path] = null;
      pull.mergeCommitSha = this.commit(pull.repo, changes, { parent, branch: pull.baseRef, message: `Merge pull request #${number}` });
      pull.merged = true;
    }
    return pull;
  }

  setPermission(ref: RepoRef, user: string, level: Permission): void {
    this.repo(ref).permissions.set(user.toLowerCase(), level);
  }

  addTeamMember(org: string, team: string, user: string, membership: Partial<TeamMembership> = {}): void {
    const key = `${org}/${team}`.toLowerCase();
    const members = this.teams.get(key) ?? new Map<string, TeamMembership>();
    members.set(user.toLowerCase(), { role: membership.role ?? "member", state: membership.state ?? "active" });
    this.teams.set(key, members);
  }

  /** A comment someone wrote (a command such as `/rollout prod`), before its webhook is delivered. */
  addComment(ref: RepoRef, issueNumber: number, options: { author: string; body: string }): CommentRecord {
    const now = this.now();
    const comment: CommentRecord = { id: this.id(), repo: this.repo(ref), issueNumber, author: options.author, body: options.body, createdAt: now, updatedAt: now, reactions: [] };
    this.commentList.push(comment);
    return comment;
  }

  /** Comments on an issue or pull request, oldest first. */
  comments(ref: RepoRef, issueNumber?: number): CommentRecord[] {
    const repo = this.repo(ref);
    return this.commentList.filter((c) => c.repo === repo && (issueNumber === undefined || c.issueNumber === issueNumber));
  }

  comment(id: number): CommentRecord | undefined {
    return this.commentList.find((c) => c.id === id);
  }

  checkRuns(ref: RepoRef, filter: { headSha?: string; name?: string } = {}): CheckRunRecord[] {
    const repo = this.repo(ref);
    return this.checkRunList.filter((r) => r.repo === repo && (!filter.headSha || r.headSha === filter.headSha) && (!filter.name || r.name === filter.name));
  }

  /** A check run another app (an infrastructure repository's CI) made, as it ends: `completed` with a conclusion unless said otherwise. */
  addCheckRun(ref: RepoRef, run: { name: string; headSha: string; status?: CheckRunRecord["status"]; conclusion?: string | null; title?: string; summary?: string }): CheckRunRecord {
    const status = run.status ?? "completed";
    const now = this.now();
    const record: CheckRunRecord = {
      id: this.id(), repo: this.repo(ref), name: run.name, headSha: run.headSha, status,
      conclusion: status === "completed" ? (run.conclusion ?? "success") : null, externalId: null, detailsUrl: null,
      startedAt: now, completedAt: status === "completed" ? now : null,
      output: { title: run.title ?? null, summary: run.summary ?? null, text: null }, annotations: [],
    };
    this.checkRunList.push(record);
    return record;
  }

  /** A commit status another system set on a commit. */
  addStatus(ref: RepoRef, status: { sha: string; context: string; state: StatusRecord["state"]; description?: string }): StatusRecord {
    const record: StatusRecord = { id: this.id(), repo: this.repo(ref), sha: status.sha, context: status.context, state: status.state, description: status.description ?? null, createdAt: this.now() };
    this.statusList.push(record);
    return record;
  }

  statuses(ref: RepoRef, sha: string): StatusRecord[] {
    const repo = this.repo(ref);
    return this.statusList.filter((s) => s.repo === repo && s.sha === sha);
  }

  /** A repository's deployments, oldest first, of one environment or task when asked. */
  deployments(ref: RepoRef, filter: { environment?: string; task?: string } = {}): DeploymentRecord[] {
    const repo = this.repo(ref);
    return this.deploymentList.filter((d) => d.repo === repo && (filter.environment === undefined || d.environment === filter.environment) && (filter.task === undefined || d.task === filter.task));
  }

  checkRun(id: number): CheckRunRecord | undefined {
    return this.checkRunList.find((r) => r.id === id);
  }

  issueToken(installationId: number): { token: string; expiresAt: string } {
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    this.tokens.set(token, { installationId, expiresAt });
    return { token, expiresAt };
  }

  /** Stable numeric ids for logins, as GitHub gives every account one. */
  userId(login: string): number {
    let id = this.userIds.get(login.toLowerCase());
    if (id === undefined) this.userIds.set(login.toLowerCase(), (id = this.id()));
    return id;
  }

  id(): number {
    return this.nextId++;
  }

  /** A timestamp a second after the previous one, so ordering by time is stable. */
  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d+Z$/, "Z");
  }
}
