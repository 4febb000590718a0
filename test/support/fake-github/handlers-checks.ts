// Check runs and their annotations, with the rules GitHub enforces beyond the schema.
import { notFound, paginate, repoOf, validationFailed, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { annotationJson, checkRunJson } from "./objects-issues.js";
import type { Annotation, CheckRunRecord, RepoRecord } from "./state.js";

/** GitHub accepts at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: CheckRunRecord["status"];
  started_at?: string;
  conclusion?: string;
  completed_at?: string;
  output?: { title: string; summary: string; text?: string; annotations?: Annotation[] };
}

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

function checkAnnotations(annotations: Annotation[] | undefined): void {
  if (!annotations) return;
  if (annotations.length > ANNOTATIONS_PER_REQUEST) {
    throw validationFailed(`Only ${ANNOTATIONS_PER_REQUEST} annotations are allowed per request, got ${annotations.length}`, "output.annotations");
  }
  annotations.forEach((a, i) => {
    if (a.start_line < 1 || a.end_line < a.start_line) throw validationFailed(`annotation ${i}: lines ${a.start_line}-${a.end_line} are not a range`, "output.annotations");
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
      throw validationFailed(`annotation ${i}: start_column and end_column are only allowed when start_line equals end_line`, "output.annotations");
    }
  });
}

/** Applies a create or update body to a run, as GitHub does: a conclusion completes it, and annotations add up. */
function apply(run: CheckRunRecord, body: CheckRunBody, ctx: HandlerCtx): void {
  if ((body.status === "completed" || body.completed_at) && !body.conclusion && !run.conclusion) {
    throw validationFailed("conclusion is required when status is completed or completed_at is given", "conclusion", "missing_field");
  }
  checkAnnotations(body.output?.annotations);
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url;
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.started_at !== undefined) run.startedAt = body.started_at;
  if (body.status !== undefined) run.status = body.status;
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") run.completedAt = body.completed_at ?? run.completedAt ?? ctx.state.now();
  if (body.output) {
    run.output = { title: body.output.title, summary: body.output.summary, text: body.output.text ?? null };
    run.annotations.push(...(body.output.annotations ?? []));
  }
}

export const checkHandlers: Record<string, HandlerSpec> = {
  "checks/create": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as CheckRunBody & { name: string; head_sha: string };
      if (!ctx.state.git.get(body.head_sha)) throw validationFailed(`No commit found for SHA: ${body.head_sha}`, "head_sha");
      const run: CheckRunRecord = {
        id: ctx.state.id(),
        repo,
        name: body.name,
        headSha: body.head_sha,
        status: "queued",
        conclusion: null,
        externalId: null,
        detailsUrl: null,
        startedAt: ctx.state.now(),
        completedAt: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
      };
      apply(run, body, ctx);
      ctx.state.checkRunList.push(run);
      return { status: 201, json: checkRunJson(ctx, run) };
    },
  },

  "checks/update": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const run = ctx.state.checkRun(Number(req.params.check_run_id));
      if (!run || run.repo !== repo) return notFound(req);
      apply(run, req.body as CheckRunBody, ctx);
      return { status: 200, json: checkRunJson(ctx, run) };
    },
  },

  "checks/get": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const run = ctx.state.checkRun(Number(req.params.check_run_id));
      return run && run.repo === repo ? { status: 200, json: checkRunJson(ctx, run) } : notFound(req);
    },
  },

  "checks/list-for-ref": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const sha = ctx.state.resolve(repo, String(req.params.ref));
      if (!sha) return { status: 422, json: { message: `No commit found for SHA: ${String(req.params.ref)}`, documentation_url: "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference", status: "422" } };
      let runs = ctx.state.checkRuns(repo, { headSha: sha });
      if (typeof req.params.check_name === "string") runs = runs.filter((r) => r.name === req.params.check_name);
      if (typeof req.params.status === "string") runs = runs.filter((r) => r.status === req.params.status);
      // filter=latest (the default) keeps the newest run of each name.
      if (req.params.filter !== "all") runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
      runs = [...runs].sort((a, b) => b.id - a.id);
      const page = paginate(req, runs);
      return { status: 200, json: { total_count: runs.length, check_runs: page.items.map((r) => checkRunJson(ctx, r)) }, headers: page.headers };
    },
  },

  "checks/list-annotations": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const run = ctx.state.checkRun(Number(req.params.check_run_id));
      if (!run || run.repo !== repo) return notFound(req);
      const page = paginate(req, run.annotations);
      return { status: 200, json: page.items.map((a) => annotationJson(run, a)), headers: page.headers };
    },
  },
};
