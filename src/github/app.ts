// The Probot app: webhook handlers only adapt the event into a job and return,
// so GitHub gets its acknowledgement before any review work starts.
import type { ApplicationFunction } from "probot";
import type { JobQueue } from "../queue/types.js";
import type { Metrics } from "./metrics.js";
import { REVIEW_JOB, reviewJobId, type ReviewJobData } from "./review-job.js";

export interface AppDeps {
  queue: JobQueue;
  metrics: Metrics;
}

export function baryonApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.onAny(async (context) => {
      deps.metrics.webhooksReceived.inc({ event: context.name });
    });

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const { pull_request: pr, repository, installation } = context.payload;
      if (!installation) return; // only installations can be reviewed
      const data: ReviewJobData = {
        installationId: installation.id,
        owner: repository.owner.login,
        repo: repository.name,
        number: pr.number,
        baseSha: pr.base.sha,
        headSha: pr.head.sha,
        pushedAt: pr.updated_at,
        fork: pr.head.repo?.full_name !== repository.full_name,
      };
      const added = await deps.queue.add(REVIEW_JOB, data, { id: reviewJobId(data) });
      context.log.info({ job: reviewJobId(data), added }, added ? "review queued" : "review already queued for this head");
    });
  };
}
