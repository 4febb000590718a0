// What the fake GitHub knows: repositories, their commits, pull requests, comments,
// check runs, deployments, permissions, installations, users and their tokens.
// Tests set it up with the helpers below and read it back to assert what a user would see.
import { randomBytes } from "node:crypto";
import { GitStore, type FileContent } from "./git-store.js";
import type {
  AppRecord, CheckRunRecord, CommentRecord, DeploymentRecord, IssueRecord, LabelRecord, Permission, PullRecord, RepoRecord, RepoRef, StatusRecord, TeamMembership, UserRecord, UserTokenRecord,
} from "./records.js";
import { addIssue, filterIssues, nextNumber, numberTaken, type IssueFilter, type NewIssue } from "./state-issues.js";

export type * from "./records.js";

/** A user token lives 8 hours, as GitHub's expiring user-to-server tokens do. */
export const USER_TOKEN_SECONDS = 28_800;

export class FakeState {
  readonly git = new GitStore();
  readonly repos = new Map<string, RepoRecord>();
  readonly pulls: PullRecord[] = [];
  readonly commentList: CommentRecord[] = [];
  readonly issueList: IssueRecord[] = [];
  readonly labelList: LabelRecord[] = [];
  readonly checkRunList: CheckRunRecord[] = [];
  readonly statusList: StatusRecord[] = [];
  readonly deploymentList: DeploymentRecord[] = [];
  readonly teams = new Map<string, Map<string, TeamMembership>>();
  readonly tokens = new Map<string, { installationId: number; expiresAt: string }>();
  readonly users = new Map<string, UserRecord>();
  readonly userTokens = new Map<string, UserTokenRecord>();
  readonly app: AppRecord;
  /** Who is signed in to github.com in "the browser": the authorize page acts for them. */
  signedIn: string | undefined;
  private readonly installationIds = new Map<string, number>();
  private readonly userIds = new Map<string, number>();
  private nextId: number;
  private clock = Date.UTC(2026, 0, 5, 9, 0, 0);

  /** `firstId` numbers this fake's objects (installations, comments, ...) apart from another fake's in the same process. */
  constructor(app: { id: number; slug: string }, firstId = 1000) {
    this.nextId = firstId;
    // A GitHub App's client id looks like `Iv23li` and 14 more characters; derived from the id so it is stable.
    this.app = { ...app, clientId: `Iv23li${app.id.toString(16).padStart(14, "0")}`, clientSecret: randomBytes(20).toString("hex") };
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
    // Pull requests and issues share the repository's numbers.
    const number = options.number ?? nextNumber(this, repo);
    if (numberTaken(this, repo, number)) throw new Error(`fake GitHub: ${repo.fullName}#${number} exists`);
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

  /** An issue someone opened (the next free number unless given); its labels are created if the repository lacks them. */
  addIssue(ref: RepoRef, issue: NewIssue): IssueRecord {
    return addIssue(this, this.repo(ref), issue);
  }

  /** A repository's issues (not pull requests), oldest first: all of them, or those of a state, with every label given, by an author. */
  issues(ref: RepoRef, filter: IssueFilter = {}): IssueRecord[] {
    return filterIssues(this, this.repo(ref), filter);
  }

  issue(ref: RepoRef, number: number): IssueRecord {
    const repo = this.repo(ref);
    const issue = this.issueList.find((i) => i.repo === repo && i.number === number);
    if (!issue) throw new Error(`fake GitHub: no issue ${repo.fullName}#${number}`);
    return issue;
  }

  /** A repository's labels, oldest first. */
  labels(ref: RepoRef): LabelRecord[] {
    const repo = this.repo(ref);
    return this.labelList.filter((l) => l.repo === repo);
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

  /** Records a user and organizations they belong to; adding one again adds the organizations. */
  addUser(login: string, options: { orgs?: string[] } = {}): UserRecord {
    const user = this.users.get(login.toLowerCase()) ?? { login, orgs: new Set<string>() };
    for (const org of options.orgs ?? []) user.orgs.add(org.toLowerCase());
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  user(login: string): UserRecord {
    const user = this.users.get(login.toLowerCase());
    if (!user) throw new Error(`fake GitHub: no user ${login} (add it with state.addUser)`);
    return user;
  }

  signIn(login: string): void {
    this.signedIn = this.user(login).login;
  }

  /** A member of an organization, directly or through one of its teams. */
  isMember(login: string, org: string): boolean {
    const key = org.toLowerCase();
    if (this.users.get(login.toLowerCase())?.orgs.has(key)) return true;
    return [...this.teams].some(([team, members]) => team.startsWith(`${key}/`) && members.get(login.toLowerCase())?.state === "active");
  }

  /** What a user may do in a repository: an owner is admin, a member of its organization reads, `none` hides it. */
  roleOf(ref: RepoRef, login: string): Permission {
    const repo = this.repo(ref);
    if (repo.owner.toLowerCase() === login.toLowerCase()) return "admin";
    const given = repo.permissions.get(login.toLowerCase());
    if (given && given !== "none") return given;
    return repo.ownerType === "Organization" && this.isMember(login, repo.owner) ? "read" : "none";
  }

  /** A user-to-server token without the web flow. */
  issueUserToken(login: string): { token: string; expiresAt: string } {
    const token = `ghu_${randomBytes(18).toString("hex")}`;
    const expiresAt = new Date(Date.now() + USER_TOKEN_SECONDS * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    this.userTokens.set(token, { login: this.user(login).login, expiresAt });
    return { token, expiresAt };
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
