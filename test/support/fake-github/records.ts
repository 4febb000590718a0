// The records the fake GitHub keeps, apart from state.ts's logic so both stay short.
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

/** An issue (not a pull request: those are PullRecords, sharing the repository's numbers). */
export interface IssueRecord {
  id: number;
  repo: RepoRecord;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "duplicate" | "reopened" | null;
  /** Label names, spelled as the repository's labels are. */
  labels: string[];
  author: string;
  /** Who closed it last, while it is closed. */
  closedBy: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

/** A repository's label; creating or updating an issue with a label name it lacks creates one. */
export interface LabelRecord {
  id: number;
  repo: RepoRecord;
  name: string;
  color: string;
  description: string | null;
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
  /** Who created it: the app's bot for an installation token, the user for a user token. */
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

/** The app's registration: its ids and, for its users' sign-in, its OAuth client credentials. */
export interface AppRecord {
  id: number;
  slug: string;
  clientId: string;
  clientSecret: string;
  /** When set, the authorize step refuses a redirect_uri not at or under it, as GitHub does. */
  callbackUrl?: string;
}

/** A GitHub user, with the organizations they belong to (which lets them read its repositories). */
export interface UserRecord {
  login: string;
  orgs: Set<string>;
}

/** A user-to-server token: the app acting for a signed-in user. */
export interface UserTokenRecord {
  login: string;
  expiresAt: string;
}
