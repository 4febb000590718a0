// A loopback fake GitHub for integration tests and the benchmark: see server.ts.
export { startFakeGitHub, IMPLEMENTED_OPERATIONS, type Call, type FakeGitHub, type FakeGitHubOptions, type Unexpected } from "./server.js";
export { FakeState, type Annotation, type AppRecord, type UserRecord, type UserTokenRecord, type CheckRunRecord, type CommentRecord, type IssueRecord, type LabelRecord, type DeploymentRecord, type DeploymentStatusRecord, type Permission, type PullRecord, type RepoRecord } from "./state.js";
export type { FileContent } from "./git-store.js";
export { ANNOTATIONS_PER_REQUEST } from "./handlers-checks.js";
export { COMMENT_LIMIT } from "./handlers-issues.js";
export { ISSUE_BODY_LIMIT, ISSUE_TITLE_LIMIT, LABEL_NAME_LIMIT } from "./handlers-issue-records.js";
export type { IssueFilter, NewIssue } from "./state-issues.js";
export { STATUS_DESCRIPTION_LIMIT } from "./handlers-deployments.js";
